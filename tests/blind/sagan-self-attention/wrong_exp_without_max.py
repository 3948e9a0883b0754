# blind: wrong
# bug: softmax as exp(s) / sum exp(s) in the input dtype with no max subtraction: overflows to inf/NaN in half precision
# family: precision
import torch
import torch.nn.functional as F
from torch import nn


class SAGANSelfAttention(nn.Module):
    """Convs applied as matrices in float32 (float64 stays float64); max-subtracted softmax; cast back at the end."""

    def __init__(self, channels, gamma_init=0.0):
        super().__init__()
        self.query_conv = nn.Conv2d(channels, channels // 8, 1)
        self.key_conv = nn.Conv2d(channels, channels // 8, 1)
        self.value_conv = nn.Conv2d(channels, channels, 1)
        self.gamma = nn.Parameter(torch.ones(1) * gamma_init)

    def forward(self, x):
        acc = x.dtype
        b, c, h, w = x.shape
        t = x.reshape(b, c, h * w).transpose(1, 2).to(acc)  # [B, N, C]

        def proj(conv):
            return F.linear(t, conv.weight.to(acc).flatten(1), conv.bias.to(acc))

        q, k, v = proj(self.query_conv), proj(self.key_conv), proj(self.value_conv)
        s = q @ k.transpose(1, 2)
        e = torch.exp(s)
        o = (e / e.sum(dim=-1, keepdim=True)) @ v  # [B, N, C]
        o = o.transpose(1, 2).reshape(b, c, h, w)
        return (x.to(acc) + self.gamma.to(acc) * o).to(x.dtype)
