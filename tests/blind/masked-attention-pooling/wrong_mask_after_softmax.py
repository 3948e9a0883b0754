# blind: wrong
# bug: softmax over all tokens, then padding zeroed without renormalising
# family: mask-polarity
import torch
from torch import nn


class MaskedAttentionPooling(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.scorer = nn.Linear(d_model, 1)

    def forward(self, h, mask=None):
        scores = self.scorer(h).squeeze(-1)  # [B, L]
        weights = torch.softmax(scores, dim=-1)
        if mask is not None:
            weights = weights * mask
        pooled = torch.bmm(weights.unsqueeze(1), h).squeeze(1)
        return pooled, weights
