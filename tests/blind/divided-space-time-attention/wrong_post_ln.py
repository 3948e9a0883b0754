# blind: wrong
# bug: post-LN: normalises after the residual, x = LN(x + attn(x))
# family: norm-placement
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
        xt = x.permute(0, 2, 1, 3).reshape(B * N, T, D)  # one sequence of T tokens per (clip, patch)
        xt = self.temporal_norm(xt + self.temporal_attn(xt, xt, xt, need_weights=False)[0])
        x = xt.reshape(B, N, T, D).permute(0, 2, 1, 3)
        xs = x.reshape(B * T, N, D)  # one sequence of N tokens per (clip, frame)
        xs = self.spatial_norm(xs + self.spatial_attn(xs, xs, xs, need_weights=False)[0])
        return xs.reshape(B, T, N, D)
