"""Alternative: float64 inside, attention written out with einsum over the T or N axis in place (no reshapes)."""

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

    def _sublayer(self, x, norm, attn, axis):
        """x + MHA(LN(x)) where tokens attend along `axis` ('t' or 'n') of x [B, T, N, D]."""
        B, T, N, D = x.shape
        y = F.layer_norm(x, (D,), norm.weight.double(), norm.bias.double(), norm.eps)
        q, k, v = (y @ attn.in_proj_weight.double().T + attn.in_proj_bias.double()).chunk(3, -1)
        q, k, v = (z.reshape(B, T, N, self.h, D // self.h) for z in (q, k, v))
        if axis == "t":
            s = torch.einsum("bsnhd,btnhd->bnhst", q, k) / math.sqrt(D // self.h)
            o = torch.einsum("bnhst,btnhd->bsnhd", s.softmax(-1), v)
        else:
            s = torch.einsum("btmhd,btnhd->bthmn", q, k) / math.sqrt(D // self.h)
            o = torch.einsum("bthmn,btnhd->btmhd", s.softmax(-1), v)
        o = o.reshape(B, T, N, D) @ attn.out_proj.weight.double().T + attn.out_proj.bias.double()
        return x + o

    def forward(self, x):
        y = self._sublayer(x.double(), self.temporal_norm, self.temporal_attn, "t")
        y = self._sublayer(y, self.spatial_norm, self.spatial_attn, "n")
        return y.to(x.dtype)
