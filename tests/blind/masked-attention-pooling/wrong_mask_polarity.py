# blind: wrong
# bug: mask read as True = padding
# family: mask-polarity
import torch
from torch import nn


class MaskedAttentionPooling(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.scorer = nn.Linear(d_model, 1)

    def forward(self, h, mask=None):
        scores = self.scorer(h).squeeze(-1)  # [B, L]
        if mask is not None:
            scores = scores.masked_fill(mask, float("-inf"))
        weights = torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0)
        pooled = torch.bmm(weights.unsqueeze(1), h).squeeze(1)
        return pooled, weights
