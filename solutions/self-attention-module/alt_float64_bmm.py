"""Alternative: float64 inside, heads folded into the batch, bmm, log-sum-exp normalisation."""

import math

import torch
import torch.nn.functional as F
from torch import nn


class SelfAttention(nn.Module):
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
        D = E // H
        x64 = x.double()

        def heads(lin):  # [B, L, E] -> [B*H, L, D]
            y = F.linear(x64, lin.weight.double(), lin.bias.double())
            return y.reshape(B, L, H, D).permute(0, 2, 1, 3).reshape(B * H, L, D)

        q, k, v = heads(self.q_proj), heads(self.k_proj), heads(self.v_proj)
        s = torch.bmm(q, k.transpose(1, 2)) / math.sqrt(D)  # [B*H, L, L]
        if key_padding_mask is not None:
            keep = key_padding_mask.repeat_interleave(H, dim=0)[:, None, :]  # [B*H, 1, L], batch-major like s
            s = s.masked_fill(~keep, -math.inf)
        lse = torch.logsumexp(s, dim=-1, keepdim=True)
        ok = torch.isfinite(lse)
        p = torch.where(ok, torch.exp(s - torch.where(ok, lse, torch.zeros_like(lse))), torch.zeros_like(s))
        o = torch.bmm(p, v).reshape(B, H, L, D).permute(0, 2, 1, 3).reshape(B, L, E)
        return F.linear(o.to(x.dtype), self.out_proj.weight, self.out_proj.bias)
