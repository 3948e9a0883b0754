"""Reference: divided space-time attention (TimeSformer, Bertasius et al., 2021): temporal, then spatial."""

from __future__ import annotations

from torch import nn


class DividedSpaceTimeAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.temporal_norm = nn.LayerNorm(d_model)
        self.temporal_attn = nn.MultiheadAttention(d_model, num_heads, batch_first=True)
        self.spatial_norm = nn.LayerNorm(d_model)
        self.spatial_attn = nn.MultiheadAttention(d_model, num_heads, batch_first=True)

    def forward(self, x):
        b, t, n, d = x.shape
        # temporal: each patch position attends over the T frames, [B, T, N, D] -> [B*N, T, D]
        xt = x.permute(0, 2, 1, 3).reshape(b * n, t, d)
        h = self.temporal_norm(xt)
        xt = xt + self.temporal_attn(h, h, h, need_weights=False)[0]
        x = xt.reshape(b, n, t, d).permute(0, 2, 1, 3)  # back to [B, T, N, D]
        # spatial: each frame's patches attend to each other, [B, T, N, D] -> [B*T, N, D]
        xs = x.reshape(b * t, n, d)
        h = self.spatial_norm(xs)
        xs = xs + self.spatial_attn(h, h, h, need_weights=False)[0]
        return xs.reshape(b, t, n, d)
