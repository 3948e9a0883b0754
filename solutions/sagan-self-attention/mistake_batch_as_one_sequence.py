"""Mistake: every pixel of every image in one sequence, so images attend to each other (the batch leaks)."""

import torch
from torch import nn


class SAGANSelfAttention(nn.Module):
    def __init__(self, channels, gamma_init=0.0):
        super().__init__()
        self.query_conv = nn.Conv2d(channels, channels // 8, 1)
        self.key_conv = nn.Conv2d(channels, channels // 8, 1)
        self.value_conv = nn.Conv2d(channels, channels, 1)
        self.gamma = nn.Parameter(torch.full((1,), float(gamma_init)))

    def forward(self, x):
        b, c, h, w = x.shape
        q = self.query_conv(x).transpose(0, 1).reshape(c // 8, b * h * w)  # [C/8, B*N]: the batch is flattened away
        k = self.key_conv(x).transpose(0, 1).reshape(c // 8, b * h * w)
        v = self.value_conv(x).transpose(0, 1).reshape(c, b * h * w)
        attn = torch.softmax((q.T @ k).float(), dim=-1).to(v.dtype)  # [B*N, B*N]
        out = (v @ attn.T).reshape(c, b, h, w).transpose(0, 1)
        return x + self.gamma * out
