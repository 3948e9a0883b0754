"""Reference: multi-head self-attention over the H*W positions of a CNN feature map, with a residual."""

from __future__ import annotations

import math

import torch
from torch import nn


class FeatureMapSelfAttention(nn.Module):
    def __init__(self, channels, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.q_proj = nn.Linear(channels, channels)
        self.k_proj = nn.Linear(channels, channels)
        self.v_proj = nn.Linear(channels, channels)
        self.out_proj = nn.Linear(channels, channels)

    def forward(self, x):
        b, c, h, w = x.shape
        n = h * w
        heads = self.num_heads
        d = c // heads
        # pixels become tokens, channels become features: [B, C, H, W] -> [B, C, HW] -> [B, HW, C]
        tokens = x.flatten(2).transpose(1, 2)
        # split the channel (feature) axis into heads: [B, HW, C] -> [B, HW, heads, D] -> [B, heads, HW, D]
        q = self.q_proj(tokens).view(b, n, heads, d).transpose(1, 2)
        k = self.k_proj(tokens).view(b, n, heads, d).transpose(1, 2)
        v = self.v_proj(tokens).view(b, n, heads, d).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d)  # [B, heads, HW, HW], scale by the head dim
        # softmax over the keys, in at least float32 so half-precision maps stay accurate
        work = torch.promote_types(scores.dtype, torch.float32)
        weights = torch.softmax(scores.to(work), dim=-1).to(v.dtype)
        out = (weights @ v).transpose(1, 2).reshape(b, n, c)  # merge heads: [B, heads, HW, D] -> [B, HW, C]
        out = self.out_proj(out)
        # back to a feature map: [B, HW, C] -> [B, C, HW] -> [B, C, H, W]; the residual keeps the input path
        return x + out.transpose(1, 2).reshape(b, c, h, w)
