# blind: correct
# family: other
import torch
from torch import nn


class CrossAttention(nn.Module):
    """Einsum over named axes, float64 softmax, explicit zero rows for items with no real memory."""

    def __init__(self, d_model, d_memory, num_heads):
        super().__init__()
        self.h = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_memory, d_model)
        self.v_proj = nn.Linear(d_memory, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x, memory, memory_mask=None):
        b, lt, e = x.shape
        ls = memory.shape[1]
        d = e // self.h
        q = self.q_proj(x).double().reshape(b, lt, self.h, d)
        k = self.k_proj(memory).double().reshape(b, ls, self.h, d)
        v = self.v_proj(memory).double().reshape(b, ls, self.h, d)
        s = torch.einsum("bqhd,bkhd->bhqk", q, k) * d**-0.5
        real = torch.ones(b, ls, dtype=torch.bool, device=x.device) if memory_mask is None else memory_mask.bool()
        real = real[:, None, None, :]
        s = s.masked_fill(~real, float("-inf"))
        top = s.amax(-1, keepdim=True)
        top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
        p = torch.exp(s - top) * real
        p = p / p.sum(-1, keepdim=True).clamp_min(1e-300)
        ctx = torch.einsum("bhqk,bkhd->bqhd", p, v).reshape(b, lt, e).to(x.dtype)
        return self.out_proj(ctx)
