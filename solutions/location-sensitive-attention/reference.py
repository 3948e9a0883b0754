"""Reference: location-sensitive attention (Tacotron 2) for one decoder step."""

from __future__ import annotations

import torch
from torch import nn


class LocationSensitiveAttention(nn.Module):
    def __init__(self, query_dim, memory_dim, attn_dim, n_filters, kernel_size):
        super().__init__()
        self.query_layer = nn.Linear(query_dim, attn_dim, bias=False)
        self.memory_layer = nn.Linear(memory_dim, attn_dim, bias=False)
        # 'same' padding for an odd kernel: one location feature vector per encoder frame
        self.location_conv = nn.Conv1d(1, n_filters, kernel_size, padding=(kernel_size - 1) // 2, bias=False)
        self.location_layer = nn.Linear(n_filters, attn_dim, bias=False)
        self.v = nn.Linear(attn_dim, 1, bias=False)

    def forward(self, query, memory, cum_weights, mask=None):
        # location features: convolve the cumulative weights over time, [B, T] -> [B, F, T] -> [B, T, A]
        loc = self.location_layer(self.location_conv(cum_weights.unsqueeze(1)).transpose(1, 2))
        # e_t = v . tanh(W q + V m_t + U f_t): the query term is the same for every frame
        hidden = torch.tanh(self.query_layer(query).unsqueeze(1) + self.memory_layer(memory) + loc)
        energies = self.v(hidden).squeeze(-1)  # [B, T]
        if mask is not None:
            energies = energies.masked_fill(~mask, float("-inf"))  # True = real frame
        # softmax over the T frames; an utterance with no frame gets zero weights
        row_max = energies.amax(dim=-1, keepdim=True).detach()
        row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
        weights = torch.exp(energies - row_max)
        denom = weights.sum(dim=-1, keepdim=True)
        weights = weights / torch.where(denom > 0, denom, torch.ones_like(denom))
        context = (weights.unsqueeze(1) @ memory).squeeze(1)  # [B, 1, T] @ [B, T, Dm] -> [B, Dm]
        return context, weights
