"""Reference: sliding-window (local) attention = dense attention with a band mask."""

from __future__ import annotations

import math

import torch


def sliding_window_attention(q, k, v, window, causal=True):
    lq, lk = q.shape[-2], k.shape[-2]
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    if lq > lk:
        raise ValueError(f"the queries are the last Lq of the Lk positions, so Lq <= Lk is needed (got {lq} > {lk})")
    # query i sits at absolute position lk - lq + i (bottom-right alignment, as in decoding with a cache)
    pos_q = torch.arange(lq, device=q.device) + (lk - lq)
    pos_k = torch.arange(lk, device=q.device)
    dist = pos_q[:, None] - pos_k[None, :]  # [Lq, Lk]: how many positions key j lies before query i
    if causal:
        allowed = (dist >= 0) & (dist < window)  # itself and the window - 1 previous keys
    else:
        allowed = dist.abs() < window  # window - 1 keys on each side, and itself
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])  # [B, H, Lq, Lk]
    scores = scores.masked_fill(~allowed, float("-inf"))
    # every query sees at least itself, so no row is fully masked
    weights = torch.softmax(scores, dim=-1)
    return weights @ v  # [B, H, Lq, Dv]
