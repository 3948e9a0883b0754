# blind: wrong
# bug: gamma created 0-d (torch.tensor(gamma_init)) instead of shape [1]: a [1] state dict does not load
# family: shape/transposition
import torch
from torch import nn


class SAGANSelfAttention(nn.Module):
    """Pixels as tokens [B, N, C] (flatten(2).transpose), einsum scores, layout restored with the same order."""

    def __init__(self, channels, gamma_init=0.0):
        super().__init__()
        self.query_conv = nn.Conv2d(channels, channels // 8, kernel_size=1)
        self.key_conv = nn.Conv2d(channels, channels // 8, kernel_size=1)
        self.value_conv = nn.Conv2d(channels, channels, kernel_size=1)
        self.gamma = nn.Parameter(torch.tensor(float(gamma_init)))

    def forward(self, x):
        tokens = lambda t: t.flatten(2).transpose(1, 2)  # noqa: E731  [B, N, ch]
        q, k, v = tokens(self.query_conv(x)), tokens(self.key_conv(x)), tokens(self.value_conv(x))
        p = torch.einsum("bic,bjc->bij", q, k).softmax(dim=-1)
        o = torch.einsum("bij,bjc->bic", p, v)  # [B, N, C]
        o = o.transpose(1, 2).reshape(x.shape)
        return x + self.gamma * o
