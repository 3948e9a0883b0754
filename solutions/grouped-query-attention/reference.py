"""Reference: grouped-query attention (Ainslie et al., 2023); Hkv = Hq is multi-head, Hkv = 1 is multi-query."""

from __future__ import annotations

import math

import torch


def grouped_query_attention(q, k, v, causal=False, scale=None):
    hq, hkv = q.shape[1], k.shape[1]
    if hkv == 0 or v.shape[1] != hkv or hq % hkv != 0:
        raise ValueError(f"need Hq % Hkv == 0 (and as many value heads as key heads), got Hq={hq}, Hkv={hkv}")
    group = hq // hkv  # query heads per key/value head
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])  # the head dim D, never Hq * D
    # query head h uses kv head h // group, so each kv head is repeated `group` times *in a row*
    k = k.repeat_interleave(group, dim=1)  # [B, Hq, Lk, D]
    v = v.repeat_interleave(group, dim=1)  # [B, Hq, Lk, Dv]
    scores = (q @ k.transpose(-2, -1)) * scale  # [B, Hq, Lq, Lk]
    if causal:
        lq, lk = q.shape[-2], k.shape[-2]
        # bottom-right: query i sits at position lk - lq + i and sees keys 0 ... lk - lq + i
        allowed = torch.ones(lq, lk, dtype=torch.bool, device=q.device).tril(diagonal=lk - lq)
        scores = scores.masked_fill(~allowed, float("-inf"))
    # with Lq > Lk the first Lq - Lk queries see no key: their max is -inf, use 0 so they output zeros
    row_max = scores.amax(dim=-1, keepdim=True).detach()
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    weights = torch.exp(scores - row_max)
    denom = weights.sum(dim=-1, keepdim=True)
    weights = weights / torch.where(denom > 0, denom, torch.ones_like(denom))
    return weights @ v  # [B, Hq, Lq, Dv]
