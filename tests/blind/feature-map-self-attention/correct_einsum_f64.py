# blind: correct
# family: other
import torch
from torch import nn
from torch.nn import functional as F


class FeatureMapSelfAttention(nn.Module):
    """Works on the [B, C, H, W] layout with einsum; the softmax runs in float64."""

    def __init__(self, channels, num_heads):
        super().__init__()
        self.heads = num_heads
        self.q_proj = nn.Linear(channels, channels)
        self.k_proj = nn.Linear(channels, channels)
        self.v_proj = nn.Linear(channels, channels)
        self.out_proj = nn.Linear(channels, channels)

    def forward(self, x):
        b, c, h, w = x.shape
        d = c // self.heads
        pix = x.permute(0, 2, 3, 1).reshape(b, h * w, c)
        q = F.linear(pix, self.q_proj.weight, self.q_proj.bias).double().reshape(b, h * w, self.heads, d)
        k = F.linear(pix, self.k_proj.weight, self.k_proj.bias).double().reshape(b, h * w, self.heads, d)
        v = F.linear(pix, self.v_proj.weight, self.v_proj.bias).double().reshape(b, h * w, self.heads, d)
        a = torch.einsum("bind,bjnd->bnij", q, k).mul(d**-0.5).softmax(dim=-1)
        ctx = torch.einsum("bnij,bjnd->bind", a, v).reshape(b, h * w, c).to(x.dtype)
        y = self.out_proj(ctx).reshape(b, h, w, c).permute(0, 3, 1, 2)
        return y + x
