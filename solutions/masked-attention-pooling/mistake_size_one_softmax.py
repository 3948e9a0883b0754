"""Known mistake (the source's pooling template): the softmax runs over the size-1 score axis."""

from __future__ import annotations

import torch
from torch import nn


class MaskedAttentionPooling(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.scorer = nn.Linear(d_model, 1)

    def forward(self, h, mask=None):
        weights = torch.softmax(self.scorer(h), dim=-1)  # [B, L, 1]: a softmax over one element is always 1
        if mask is not None:
            weights = weights * mask.unsqueeze(-1)
        pooled = (weights * h).sum(dim=1)
        return pooled, weights.squeeze(-1)
