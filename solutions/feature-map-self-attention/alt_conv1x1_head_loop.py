"""Alternative: channels-first throughout (1x1 convolutions with the Linear weights), one head at a time, einsum."""

import torch
import torch.nn.functional as F
from torch import nn


class FeatureMapSelfAttention(nn.Module):
    def __init__(self, channels, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.q_proj = nn.Linear(channels, channels)
        self.k_proj = nn.Linear(channels, channels)
        self.v_proj = nn.Linear(channels, channels)
        self.out_proj = nn.Linear(channels, channels)

    @staticmethod
    def _conv1x1(x, lin, rows=slice(None)):
        # a Linear applied at every pixel is a 1x1 convolution with weight [out, in, 1, 1]
        return F.conv2d(x, lin.weight[rows, :, None, None], lin.bias[rows])

    def forward(self, x):
        b, c, h, w = x.shape
        d = c // self.num_heads
        outs = []
        for i in range(self.num_heads):
            rows = slice(i * d, (i + 1) * d)
            q = self._conv1x1(x, self.q_proj, rows).flatten(2)  # [B, D, HW]
            k = self._conv1x1(x, self.k_proj, rows).flatten(2)
            v = self._conv1x1(x, self.v_proj, rows).flatten(2)
            logits = torch.einsum("bdq,bdk->bqk", q, k) * d ** -0.5  # [B, HW, HW]
            probs = torch.softmax(logits.float(), dim=-1).to(v.dtype) if x.dtype != torch.float64 \
                else torch.softmax(logits, dim=-1)
            outs.append(torch.einsum("bqk,bdk->bdq", probs, v))  # [B, D, HW]
        y = torch.cat(outs, dim=1).view(b, c, h, w)  # channels-first already: no transpose needed
        return x + self._conv1x1(y, self.out_proj)
