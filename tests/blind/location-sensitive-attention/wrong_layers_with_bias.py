# blind: wrong
# bug: creates the Linear layers with their default bias: extra state-dict entries
# family: parameter-naming
import torch
from torch import nn


class LocationSensitiveAttention(nn.Module):
    def __init__(self, query_dim, memory_dim, attn_dim, n_filters, kernel_size):
        super().__init__()
        self.query_layer = nn.Linear(query_dim, attn_dim)
        self.memory_layer = nn.Linear(memory_dim, attn_dim)
        self.location_conv = nn.Conv1d(1, n_filters, kernel_size, padding=(kernel_size - 1) // 2, bias=False)
        self.location_layer = nn.Linear(n_filters, attn_dim)
        self.v = nn.Linear(attn_dim, 1, bias=False)

    def forward(self, query, memory, cum_weights, mask=None):
        loc = self.location_conv(cum_weights.unsqueeze(1)).transpose(1, 2)  # [B, T, F]
        f = self.location_layer(loc)
        e = self.v(torch.tanh(self.query_layer(query).unsqueeze(1) + self.memory_layer(memory) + f)).squeeze(-1)
        if mask is not None:
            e = e.masked_fill(~mask, float("-inf"))
        w = torch.nan_to_num(torch.softmax(e, dim=-1), nan=0.0)
        context = torch.bmm(w.unsqueeze(1), memory).squeeze(1)
        return context, w
