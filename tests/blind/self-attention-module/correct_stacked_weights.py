# blind: correct
import math

import torch
import torch.nn.functional as F
from torch import nn


class SelfAttention(nn.Module):
    """One fused projection per call (weights concatenated on the fly; the parameters stay four Linears)."""

    def __init__(self, d_model, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x, key_padding_mask=None):
        B, L, E = x.shape
        H = self.num_heads
        w = torch.cat([self.q_proj.weight, self.k_proj.weight, self.v_proj.weight])
        b = torch.cat([self.q_proj.bias, self.k_proj.bias, self.v_proj.bias])
        qkv = F.linear(x, w, b).view(B, L, 3, H, E // H).permute(2, 0, 3, 1, 4).double()
        q, k, v = qkv[0], qkv[1], qkv[2]
        s = q @ k.transpose(-1, -2) / math.sqrt(E // H)
        if key_padding_mask is not None:
            s = s + torch.where(key_padding_mask, 0.0, -math.inf).double().view(B, 1, 1, L)
        m = s.amax(-1, keepdim=True).clamp_min(-1e300)  # finite even for a row of -inf
        e = torch.exp(s - m)
        z = e.sum(-1, keepdim=True)
        attn = e / torch.where(z == 0, torch.ones_like(z), z)
        o = (attn @ v).transpose(1, 2).reshape(B, L, E).to(x.dtype)
        return self.out_proj(o)
