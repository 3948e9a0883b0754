"""Alternative: float64 inside, heads folded into the batch, permute/bmm and a log-sum-exp softmax."""

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
        B, C, H, W = x.shape
        N, G = H * W, self.num_heads
        D = C // G
        t = x.double().permute(0, 2, 3, 1).reshape(B, N, C)  # [B, H, W, C] -> [B, N, C]

        def lin(z, m):
            return z @ m.weight.double().T + m.bias.double()

        def fold(z):  # [B, N, C] -> [B*G, N, D]
            return z.reshape(B, N, G, D).permute(0, 2, 1, 3).reshape(B * G, N, D)

        q, k, v = fold(lin(t, self.q_proj)), fold(lin(t, self.k_proj)), fold(lin(t, self.v_proj))
        s = torch.bmm(q, k.transpose(1, 2)) / math.sqrt(D)
        p = torch.exp(s - torch.logsumexp(s, dim=-1, keepdim=True))
        o = torch.bmm(p, v).reshape(B, G, N, D).permute(0, 2, 1, 3).reshape(B, N, C)
        y = lin(o, self.out_proj).reshape(B, H, W, C).permute(0, 3, 1, 2)  # [B, C, H, W]
        return (x.double() + y).to(x.dtype)
