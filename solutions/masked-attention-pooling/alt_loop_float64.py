"""Alternative: one example at a time, float64 inside, only the real tokens selected before the softmax."""

from __future__ import annotations

import torch
from torch import nn


class MaskedAttentionPooling(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.scorer = nn.Linear(d_model, 1)

    def forward(self, h, mask=None):
        b, length, d = h.shape
        w_row = self.scorer.weight.double().reshape(d)
        bias = self.scorer.bias.double()
        pooled, weights = [], []
        for i in range(b):
            x = h[i].double()
            keep = torch.ones(length, dtype=torch.bool, device=h.device) if mask is None else mask[i]
            w = torch.zeros(length, dtype=torch.float64, device=h.device)
            if keep.any():
                w = w.index_put((keep.nonzero().squeeze(1),), torch.softmax(x[keep] @ w_row + bias, dim=0))
            weights.append(w)
            pooled.append(w @ x)
        return torch.stack(pooled).to(h.dtype), torch.stack(weights).to(h.dtype)
