"""Reference: attention pooling of token states into one vector, with a token mask (True = real token)."""

from __future__ import annotations

import torch
from torch import nn


class MaskedAttentionPooling(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.scorer = nn.Linear(d_model, 1)  # one score per token

    def forward(self, h, mask=None):
        scores = self.scorer(h).squeeze(-1)  # [B, L, D] -> [B, L]: score EVERY token, not the pooled vector
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))  # True = real token
        # softmax over the tokens of each example; a row without any token gets zero weights
        row_max = scores.amax(dim=-1, keepdim=True).detach()
        row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
        weights = torch.exp(scores - row_max)
        denom = weights.sum(dim=-1, keepdim=True)
        weights = weights / torch.where(denom > 0, denom, torch.ones_like(denom))
        pooled = (weights.unsqueeze(-1) * h).sum(dim=1)  # [B, D]
        return pooled, weights
