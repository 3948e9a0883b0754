"""Alternative: explicit loops, one patch position (then one frame) at a time, with the modules called whole."""

import torch
from torch import nn


class DividedSpaceTimeAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.temporal_norm = nn.LayerNorm(d_model)
        self.temporal_attn = nn.MultiheadAttention(d_model, num_heads, batch_first=True)
        self.spatial_norm = nn.LayerNorm(d_model)
        self.spatial_attn = nn.MultiheadAttention(d_model, num_heads, batch_first=True)

    @staticmethod
    def _residual(seq, norm, attn):  # seq [B, L, D]
        h = norm(seq)
        return seq + attn(h, h, h)[0]

    def forward(self, x):
        T, N = x.shape[1], x.shape[2]
        cols = [self._residual(x[:, :, n], self.temporal_norm, self.temporal_attn) for n in range(N)]
        x = torch.stack(cols, dim=2)  # [B, T, N, D]
        rows = [self._residual(x[:, t], self.spatial_norm, self.spatial_attn) for t in range(T)]
        return torch.stack(rows, dim=1)
