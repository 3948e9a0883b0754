# blind: wrong
# bug: makes the temporal sequences [N, B*T, D] (clips concatenated along time): right only for B = 1
# family: wrong-axis
from torch import nn


class DividedSpaceTimeAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.temporal_norm = nn.LayerNorm(d_model)
        self.temporal_attn = nn.MultiheadAttention(d_model, num_heads, batch_first=True)
        self.spatial_norm = nn.LayerNorm(d_model)
        self.spatial_attn = nn.MultiheadAttention(d_model, num_heads, batch_first=True)

    def forward(self, x):
        B, T, N, D = x.shape
        xt = x.permute(2, 0, 1, 3).reshape(N, B * T, D)
        h = self.temporal_norm(xt)
        xt = xt + self.temporal_attn(h, h, h, need_weights=False)[0]
        x = xt.reshape(N, B, T, D).permute(1, 2, 0, 3)
        xs = x.reshape(B * T, N, D)  # one sequence of N tokens per (clip, frame)
        h = self.spatial_norm(xs)
        xs = xs + self.spatial_attn(h, h, h, need_weights=False)[0]
        return xs.reshape(B, T, N, D)
