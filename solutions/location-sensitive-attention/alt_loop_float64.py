"""Alternative: one utterance at a time in float64, the convolution as an explicit sum over taps."""

import math

import torch
from torch import nn


class LocationSensitiveAttention(nn.Module):
    def __init__(self, query_dim, memory_dim, attn_dim, n_filters, kernel_size):
        super().__init__()
        self.query_layer = nn.Linear(query_dim, attn_dim, bias=False)
        self.memory_layer = nn.Linear(memory_dim, attn_dim, bias=False)
        self.location_conv = nn.Conv1d(1, n_filters, kernel_size, padding=(kernel_size - 1) // 2, bias=False)
        self.location_layer = nn.Linear(n_filters, attn_dim, bias=False)
        self.v = nn.Linear(attn_dim, 1, bias=False)

    def forward(self, query, memory, cum_weights, mask=None):
        B, T, _ = memory.shape
        taps = self.location_conv.weight[:, 0, :].double()  # [F, K]
        k = taps.shape[1]
        half = (k - 1) // 2
        contexts, all_weights = [], []
        for b in range(B):
            cw = cum_weights[b].double()
            feats = torch.zeros(T, taps.shape[0], dtype=torch.float64, device=memory.device)
            for t in range(T):
                for i in range(k):
                    s = t + i - half
                    if 0 <= s < T:
                        feats[t] = feats[t] + taps[:, i] * cw[s]
            mem = memory[b].double()
            hidden = torch.tanh(query[b].double() @ self.query_layer.weight.double().T
                                + mem @ self.memory_layer.weight.double().T
                                + feats @ self.location_layer.weight.double().T)
            e = hidden @ self.v.weight.double()[0]  # [T]
            allowed = torch.ones(T, dtype=torch.bool, device=memory.device) if mask is None else mask[b]
            if not allowed.any():
                w = torch.zeros(T, dtype=torch.float64, device=memory.device)
            else:
                e = e.masked_fill(~allowed, -math.inf)
                w = torch.exp(e - e.max())
                w = w / w.sum()
            all_weights.append(w)
            contexts.append(w @ mem)
        return torch.stack(contexts).to(memory.dtype), torch.stack(all_weights).to(memory.dtype)
