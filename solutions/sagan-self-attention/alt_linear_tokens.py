"""Alternative: tokens-last layout [B, N, C], 1x1 convolutions as matmuls, einsum and a manual softmax."""

import torch
from torch import nn


class SAGANSelfAttention(nn.Module):
    def __init__(self, channels, gamma_init=0.0):
        super().__init__()
        self.query_conv = nn.Conv2d(channels, channels // 8, 1)
        self.key_conv = nn.Conv2d(channels, channels // 8, 1)
        self.value_conv = nn.Conv2d(channels, channels, 1)
        self.gamma = nn.Parameter(torch.zeros(1) + gamma_init)

    @staticmethod
    def _proj(t, conv):  # t [B, N, C] -> [B, N, out], the 1x1 convolution as a Linear
        return t @ conv.weight[:, :, 0, 0].T + conv.bias

    def forward(self, x):
        B, C, H, W = x.shape
        t = x.permute(0, 2, 3, 1).reshape(B, H * W, C)
        q, k, v = self._proj(t, self.query_conv), self._proj(t, self.key_conv), self._proj(t, self.value_conv)
        s = torch.einsum("bid,bjd->bij", q, k).float() if x.dtype != torch.float64 else \
            torch.einsum("bid,bjd->bij", q, k)
        p = torch.exp(s - s.amax(-1, keepdim=True))
        p = (p / p.sum(-1, keepdim=True)).to(v.dtype)
        o = torch.einsum("bij,bjc->bic", p, v)  # [B, N, C]
        return x + self.gamma * o.reshape(B, H, W, C).permute(0, 3, 1, 2)
