"""Mistake: the spatial sublayer runs first, then the temporal one."""

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
        xs = x.reshape(b * t, n, d)
        h = self.spatial_norm(xs)
        x = (xs + self.spatial_attn(h, h, h, need_weights=False)[0]).reshape(b, t, n, d)
        xt = x.permute(0, 2, 1, 3).reshape(b * n, t, d)
        h = self.temporal_norm(xt)
        xt = xt + self.temporal_attn(h, h, h, need_weights=False)[0]
        return xt.reshape(b, n, t, d).permute(0, 2, 1, 3)
