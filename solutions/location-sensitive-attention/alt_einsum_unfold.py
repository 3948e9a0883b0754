"""Alternative: the location convolution written as unfold + einsum; softmax through an additive bias."""

import torch
import torch.nn.functional as F
from torch import nn


class LocationSensitiveAttention(nn.Module):
    def __init__(self, query_dim, memory_dim, attn_dim, n_filters, kernel_size):
        super().__init__()
        self.kernel_size = kernel_size
        self.query_layer = nn.Linear(query_dim, attn_dim, bias=False)
        self.memory_layer = nn.Linear(memory_dim, attn_dim, bias=False)
        self.location_conv = nn.Conv1d(1, n_filters, kernel_size, padding=(kernel_size - 1) // 2, bias=False)
        self.location_layer = nn.Linear(n_filters, attn_dim, bias=False)
        self.v = nn.Linear(attn_dim, 1, bias=False)

    def forward(self, query, memory, cum_weights, mask=None):
        half = (self.kernel_size - 1) // 2
        windows = F.pad(cum_weights, (half, half)).unfold(-1, self.kernel_size, 1)  # [B, T, K]
        feats = torch.einsum("btk,fk->btf", windows, self.location_conv.weight[:, 0, :])  # [B, T, F]
        loc = torch.einsum("btf,af->bta", feats, self.location_layer.weight)
        q = torch.einsum("bd,ad->ba", query, self.query_layer.weight)
        m = torch.einsum("btd,ad->bta", memory, self.memory_layer.weight)
        energies = torch.einsum("bta,a->bt", torch.tanh(q[:, None, :] + m + loc), self.v.weight[0])
        if mask is not None:
            energies = energies + torch.zeros_like(energies).masked_fill(~mask, float("-inf"))
        alive = torch.isfinite(energies).any(-1, keepdim=True)
        weights = torch.softmax(energies.masked_fill(~alive, 0.0), dim=-1) * alive
        return torch.einsum("bt,btd->bd", weights, memory), weights
