"""Reference: multi-head self-attention module with a key padding mask (True = real token)."""

from __future__ import annotations

import math

import torch
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
        b, l, e = x.shape
        h = self.num_heads
        d = e // h
        # one sequence gives queries, keys and values: [B, L, E] -> [B, L, H, D] -> [B, H, L, D]
        q = self.q_proj(x).view(b, l, h, d).transpose(1, 2)
        k = self.k_proj(x).view(b, l, h, d).transpose(1, 2)
        v = self.v_proj(x).view(b, l, h, d).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d)  # [B, H, L, L], scale by the head dim
        if key_padding_mask is not None:
            # True = real token; the mask hides KEYS, so it broadcasts over heads and queries: [B, 1, 1, L]
            scores = scores.masked_fill(~key_padding_mask[:, None, None, :], float("-inf"))
        # stable softmax over keys; a sequence with no real token gets zero weights (no NaN)
        row_max = scores.amax(dim=-1, keepdim=True).detach()
        row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
        weights = torch.exp(scores - row_max)
        denom = weights.sum(dim=-1, keepdim=True)
        weights = weights / torch.where(denom > 0, denom, torch.ones_like(denom))
        out = (weights @ v).transpose(1, 2).reshape(b, l, e)  # merge heads: [B, H, L, D] -> [B, L, E]
        return self.out_proj(out)
