"""Alternative: float64 inside; per batch item, keep only the real memory rows before attending."""

import math

import torch
import torch.nn.functional as F
from torch import nn


class CrossAttention(nn.Module):
    def __init__(self, d_model, d_memory, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_memory, d_model)
        self.v_proj = nn.Linear(d_memory, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x, memory, memory_mask=None):
        B, Lt, E = x.shape
        H, D = self.num_heads, E // self.num_heads

        def lin(t, m):
            return F.linear(t.double(), m.weight.double(), m.bias.double())

        rows = []
        for b in range(B):
            mem = memory[b] if memory_mask is None else memory[b][memory_mask[b]]  # [Ls_real, Em]
            q = lin(x[b], self.q_proj).view(Lt, H, D).transpose(0, 1)  # [H, Lt, D]
            if mem.shape[0] == 0:  # nothing to attend to: the attention output is zero
                rows.append(torch.zeros(Lt, E, dtype=torch.float64, device=x.device))
                continue
            k = lin(mem, self.k_proj).view(-1, H, D).transpose(0, 1)  # [H, Ls_real, D]
            v = lin(mem, self.v_proj).view(-1, H, D).transpose(0, 1)
            p = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(D), dim=-1)
            rows.append((p @ v).transpose(0, 1).reshape(Lt, E))
        out = torch.stack(rows)
        return F.linear(out, self.out_proj.weight.double(), self.out_proj.bias.double()).to(x.dtype)
