# blind: correct
# family: TimeSformer-style rearrange with transpose/flatten/unflatten and a shared sublayer helper
from torch import nn


def _pre_ln(norm, attn, seq):
    h = norm(seq)
    out, _ = attn(h, h, h)
    return seq + out


class DividedSpaceTimeAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.temporal_norm = nn.LayerNorm(d_model)
        self.temporal_attn = nn.MultiheadAttention(d_model, num_heads, batch_first=True)
        self.spatial_norm = nn.LayerNorm(d_model)
        self.spatial_attn = nn.MultiheadAttention(d_model, num_heads, batch_first=True)

    def forward(self, x):
        b, t, n, d = x.shape
        # "b t n d -> (b n) t d"
        seq = x.transpose(1, 2).flatten(0, 1)
        seq = _pre_ln(self.temporal_norm, self.temporal_attn, seq)
        x = seq.unflatten(0, (b, n)).transpose(1, 2)
        # "b t n d -> (b t) n d"
        seq = _pre_ln(self.spatial_norm, self.spatial_attn, x.flatten(0, 1))
        return seq.unflatten(0, (b, t))
