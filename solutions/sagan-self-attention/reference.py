"""Reference: the self-attention block of SAGAN (Zhang et al., 2019): x + gamma * attention(x)."""

from __future__ import annotations

import torch
from torch import nn


class SAGANSelfAttention(nn.Module):
    def __init__(self, channels, gamma_init=0.0):
        super().__init__()
        inner = channels // 8  # queries and keys are cheap: C/8 channels
        self.query_conv = nn.Conv2d(channels, inner, 1)
        self.key_conv = nn.Conv2d(channels, inner, 1)
        self.value_conv = nn.Conv2d(channels, channels, 1)
        # a learnable scalar that starts at 0, so the block is the identity when inserted
        self.gamma = nn.Parameter(torch.full((1,), float(gamma_init)))

    def forward(self, x):
        b, c, h, w = x.shape
        q = self.query_conv(x).flatten(2).transpose(1, 2)  # [B, N, C/8], N = H*W pixels
        k = self.key_conv(x).flatten(2)  # [B, C/8, N]
        v = self.value_conv(x).flatten(2)  # [B, C, N]
        scores = q @ k  # [B, N, N]: row i = query pixel, column j = key pixel (no scale, as in the paper)
        # softmax over the key pixels, in at least float32
        work = torch.promote_types(scores.dtype, torch.float32)
        attn = torch.softmax(scores.to(work), dim=-1).to(v.dtype)
        out = v @ attn.transpose(1, 2)  # [B, C, N]: out[:, :, i] = sum_j attn[i, j] * v[:, :, j]
        return x + self.gamma * out.view(b, c, h, w)
