"""Reference: multi-head cross-attention (queries from x, keys and values from memory)."""

from __future__ import annotations

import math

import torch
from torch import nn


class CrossAttention(nn.Module):
    def __init__(self, d_model, d_memory, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_memory, d_model)  # memory features -> the query space
        self.v_proj = nn.Linear(d_memory, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x, memory, memory_mask=None):
        b, lt, e = x.shape
        ls = memory.shape[1]
        h = self.num_heads
        d = e // h
        q = self.q_proj(x).view(b, lt, h, d).transpose(1, 2)  # [B, H, Lt, D]
        k = self.k_proj(memory).view(b, ls, h, d).transpose(1, 2)  # [B, H, Ls, D]
        v = self.v_proj(memory).view(b, ls, h, d).transpose(1, 2)  # [B, H, Ls, D]
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d)  # [B, H, Lt, Ls]; D is the head dim of q and k
        if memory_mask is not None:
            # True = real memory position; it hides keys: [B, Ls] -> [B, 1, 1, Ls]
            scores = scores.masked_fill(~memory_mask[:, None, None, :], float("-inf"))
        # stable softmax over the memory axis; an item with no real memory position gets zero weights
        row_max = scores.amax(dim=-1, keepdim=True).detach()
        row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
        weights = torch.exp(scores - row_max)
        denom = weights.sum(dim=-1, keepdim=True)
        weights = weights / torch.where(denom > 0, denom, torch.ones_like(denom))
        out = (weights @ v).transpose(1, 2).reshape(b, lt, e)  # [B, H, Lt, D] -> [B, Lt, E]
        return self.out_proj(out)
