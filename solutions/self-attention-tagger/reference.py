"""Reference: a per-token tagger: embedding, one masked multi-head self-attention layer, per-token logits."""

from __future__ import annotations

import math

import torch
from torch import nn


class SelfAttentionTagger(nn.Module):
    def __init__(self, vocab_size, d_model, num_heads, num_tags):
        super().__init__()
        self.num_heads = num_heads
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        self.norm = nn.LayerNorm(d_model)
        self.classifier = nn.Linear(d_model, num_tags)

    def forward(self, ids, mask=None):
        x = self.embedding(ids)  # [B, L] -> [B, L, E]
        b, l, e = x.shape
        h = self.num_heads
        d = e // h
        q = self.q_proj(x).view(b, l, h, d).transpose(1, 2)  # [B, H, L, D]
        k = self.k_proj(x).view(b, l, h, d).transpose(1, 2)
        v = self.v_proj(x).view(b, l, h, d).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d)  # [B, H, L, L]
        if mask is not None:
            scores = scores.masked_fill(~mask[:, None, None, :], float("-inf"))  # hide pad KEYS only
        row_max = scores.amax(dim=-1, keepdim=True).detach()
        row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
        weights = torch.exp(scores - row_max)
        denom = weights.sum(dim=-1, keepdim=True)
        weights = weights / torch.where(denom > 0, denom, torch.ones_like(denom))
        attended = self.out_proj((weights @ v).transpose(1, 2).reshape(b, l, e))
        hidden = self.norm(x + attended)  # residual: each token keeps its own embedding
        return self.classifier(hidden)  # [B, L, num_tags]: one prediction per token, no pooling
