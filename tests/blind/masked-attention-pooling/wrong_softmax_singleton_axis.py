# blind: wrong
# bug: softmax over the last axis of the [B, L, 1] scores (size 1): every weight is 1
# family: wrong-axis
import torch
from torch import nn


class MaskedAttentionPooling(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.scorer = nn.Linear(d_model, 1)

    def forward(self, h, mask=None):
        scores = self.scorer(h)  # [B, L, 1]
        if mask is not None:
            scores = scores.masked_fill(~mask[..., None], float("-inf"))
        weights = torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0).squeeze(-1)
        pooled = torch.bmm(weights.unsqueeze(1), h).squeeze(1)
        return pooled, weights
