# blind: wrong
# bug: adds the temporal residual in place on a permuted view of x (xt += ...): the caller's input is modified
# family: in-place-mutation
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
        xt = x.permute(0, 2, 1, 3)  # [B, N, T, D], a view of x
        h = self.temporal_norm(xt).reshape(B * N, T, D)
        xt += self.temporal_attn(h, h, h, need_weights=False)[0].view(B, N, T, D)
        x = xt.permute(0, 2, 1, 3)
        xs = x.reshape(B * T, N, D)
        h = self.spatial_norm(xs)
        xs = xs + self.spatial_attn(h, h, h, need_weights=False)[0]
        return xs.reshape(B, T, N, D)
