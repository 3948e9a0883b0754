"""Reference: multi-head self-attention over a variable set of entities, then masked mean pooling."""

from __future__ import annotations

import math

import torch
from torch import nn


class EntitySelfAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, entities, mask=None):
        b, n, e = entities.shape
        h = self.num_heads
        d = e // h
        present = torch.ones(b, n, dtype=torch.bool, device=entities.device) if mask is None else mask
        entities = entities.masked_fill(~present.unsqueeze(-1), 0)  # absent slots may hold anything, NaN too
        q = self.q_proj(entities).view(b, n, h, d).transpose(1, 2)  # [B, H, N, D]
        k = self.k_proj(entities).view(b, n, h, d).transpose(1, 2)
        v = self.v_proj(entities).view(b, n, h, d).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d)  # [B, H, N, N]
        scores = scores.masked_fill(~present[:, None, None, :], float("-inf"))  # absent entities are no keys
        row_max = scores.amax(dim=-1, keepdim=True).detach()
        row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
        weights = torch.exp(scores - row_max)
        denom = weights.sum(dim=-1, keepdim=True)
        weights = weights / torch.where(denom > 0, denom, torch.ones_like(denom))
        y = self.out_proj((weights @ v).transpose(1, 2).reshape(b, n, e))  # [B, N, E], one row per entity
        # mean over the present entities only; an empty scene pools to zeros
        keep = present.to(y.dtype).unsqueeze(-1)  # [B, N, 1]
        count = keep.sum(dim=1)  # [B, 1]
        return (y * keep).sum(dim=1) / count.clamp(min=1)
