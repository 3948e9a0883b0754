"""Reference: DIN target attention (local activation unit) over a user's behaviour history."""

from __future__ import annotations

import torch
from torch import nn


class DINAttention(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.fc1 = nn.Linear(4 * d, hidden)
        self.act = nn.PReLU()
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, target, history, hist_mask=None):
        t = target.unsqueeze(1).expand_as(history)  # [B, L, D]: the same target next to every history item
        feats = torch.cat([history, t, history - t, history * t], dim=-1)  # [B, L, 4D], in this order
        scores = self.fc2(self.act(self.fc1(feats))).squeeze(-1)  # [B, L]
        # DIN keeps the raw scores (no softmax): the interest's size carries how strongly the history matches
        weights = scores if hist_mask is None else scores.masked_fill(~hist_mask, 0.0)  # True = real item
        interest = (weights.unsqueeze(1) @ history).squeeze(1)  # [B, 1, L] @ [B, L, D] -> [B, D]
        return interest, weights
