"""Reference: an LSTM forecaster with temporal attention over its encoder states (variable-length series)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class TemporalAttentionForecaster(nn.Module):
    def __init__(self, n_features, hidden_size, horizon, num_layers=2):
        super().__init__()
        self.lstm = nn.LSTM(n_features, hidden_size, num_layers, batch_first=True)
        self.attn = nn.Linear(hidden_size, hidden_size, bias=False)
        self.head = nn.Linear(2 * hidden_size, horizon)

    def forward(self, x, mask):
        t = x.shape[1]
        lengths = mask.sum(dim=1).cpu()  # right-padded: the observed steps are a prefix of each row
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, (h_n, _) = self.lstm(packed)  # the packed run stops at each series' last observed step
        states, _ = pad_packed_sequence(out, batch_first=True, total_length=t)  # [B, T, H]
        query = h_n[-1]  # [num_layers, B, H] -> the last layer's state after the last observed step: [B, H]
        scores = (self.attn(states) @ query.unsqueeze(-1)).squeeze(-1)  # score_t = (W_a h_t) . q, [B, T]
        scores = scores.masked_fill(~mask, float("-inf"))  # True = observed step
        weights = torch.softmax(scores, dim=-1)  # over time; every series has an observed step
        context = (weights.unsqueeze(1) @ states).squeeze(1)  # [B, H]
        return self.head(torch.cat([context, query], dim=-1)), weights
