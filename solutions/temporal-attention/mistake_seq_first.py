"""Known mistake: a default (seq-first) nn.LSTM fed a batch-first tensor: it runs along the batch."""

import torch
from torch import nn


class TemporalAttentionForecaster(nn.Module):
    def __init__(self, n_features, hidden_size, horizon, num_layers=2):
        super().__init__()
        self.lstm = nn.LSTM(n_features, hidden_size, num_layers)  # batch_first=False: reads [T, B, F]
        self.attn = nn.Linear(hidden_size, hidden_size, bias=False)
        self.head = nn.Linear(2 * hidden_size, horizon)

    def forward(self, x, mask):
        states, _ = self.lstm(x)  # x is [B, T, F], read as B time steps of T series
        last = mask.sum(1) - 1
        query = states[torch.arange(x.shape[0], device=x.device), last]
        scores = torch.einsum("bth,bh->bt", self.attn(states), query).masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        context = torch.einsum("bt,bth->bh", weights, states)
        return self.head(torch.cat([context, query], dim=-1)), weights
