"""Reference: causal attention with bottom-right alignment (the queries are the last Lq positions)."""

from __future__ import annotations

import math

import torch


def causal_attention(q, k, v, scale=None):
    lq, lk = q.shape[-2], k.shape[-2]
    if lq > lk:
        raise ValueError(f"causal attention needs Lq <= Lk (the queries are the last Lq positions), got {lq} > {lk}")
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    scores = (q @ k.transpose(-2, -1)) * scale  # [B, H, Lq, Lk]
    # query i sits at absolute position lk - lq + i and may see keys 0 ... lk - lq + i (itself included)
    allowed = torch.ones(lq, lk, dtype=torch.bool, device=q.device).tril(diagonal=lk - lq)
    scores = scores.masked_fill(~allowed, float("-inf"))
    # every row keeps at least key 0, so the softmax is always defined
    weights = torch.softmax(scores, dim=-1)
    return weights @ v  # [B, H, Lq, Dv]
