"""Alternative: an unpacked LSTM run; the query is gathered at each series' last observed step."""

import torch
from torch import nn


class TemporalAttentionForecaster(nn.Module):
    def __init__(self, n_features, hidden_size, horizon, num_layers=2):
        super().__init__()
        self.lstm = nn.LSTM(n_features, hidden_size, num_layers, batch_first=True)
        self.attn = nn.Linear(hidden_size, hidden_size, bias=False)
        self.head = nn.Linear(2 * hidden_size, horizon)

    def forward(self, x, mask):
        x = x.masked_fill(~mask.unsqueeze(-1), 0)  # padded steps may hold NaN or inf: never let them in
        states, _ = self.lstm(x)  # [B, T, H]; states at padded steps exist but are never used
        last = mask.sum(1) - 1  # index of the last observed step
        query = states[torch.arange(x.shape[0], device=x.device), last]  # a causal LSTM: unaffected by padding
        scores = torch.einsum("bth,bh->bt", self.attn(states), query)
        scores = scores + torch.zeros_like(scores).masked_fill(~mask, float("-inf"))
        weights = torch.exp(scores - scores.amax(-1, keepdim=True))
        weights = weights / weights.sum(-1, keepdim=True)
        context = torch.einsum("bt,bth->bh", weights, states)
        return self.head(torch.cat([context, query], dim=-1)), weights
