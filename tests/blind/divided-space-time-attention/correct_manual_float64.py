# blind: correct
# family: hand-written multi-head attention from the MHA's parameters, float64 internally
import math

import torch
import torch.nn.functional as F
from torch import nn


class DividedSpaceTimeAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.h = num_heads
        self.temporal_norm = nn.LayerNorm(d_model)
        self.temporal_attn = nn.MultiheadAttention(d_model, num_heads, batch_first=True)
        self.spatial_norm = nn.LayerNorm(d_model)
        self.spatial_attn = nn.MultiheadAttention(d_model, num_heads, batch_first=True)

    def _sublayer(self, norm, mha, s):
        """s [S, L, D] float64 -> s + MHA(LN(s))."""
        S, L, D = s.shape
        z = F.layer_norm(s, (D,), norm.weight.double(), norm.bias.double(), norm.eps)
        qkv = F.linear(z, mha.in_proj_weight.double(), mha.in_proj_bias.double())
        q, k, v = (t.view(S, L, self.h, D // self.h).transpose(1, 2) for t in qkv.chunk(3, dim=-1))
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D // self.h), dim=-1)
        o = (a @ v).transpose(1, 2).reshape(S, L, D)
        return s + F.linear(o, mha.out_proj.weight.double(), mha.out_proj.bias.double())

    def forward(self, x):
        B, T, N, D = x.shape
        y = x.double().permute(0, 2, 1, 3).reshape(B * N, T, D)
        y = self._sublayer(self.temporal_norm, self.temporal_attn, y)
        y = y.view(B, N, T, D).transpose(1, 2).reshape(B * T, N, D)
        y = self._sublayer(self.spatial_norm, self.spatial_attn, y)
        return y.view(B, T, N, D).to(x.dtype)
