"""Reference: multi-head attention with explicit weights (nn.Linear layout: y = x @ w.T + b)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def multi_head_attention(x_q, x_kv, w_q, w_k, w_v, w_o, num_heads, b_q=None, b_k=None, b_v=None, b_o=None,
                         mask=None):
    bsz, lq, e = x_q.shape
    lk = x_kv.shape[1]
    if e % num_heads != 0:
        raise ValueError(f"model dim {e} is not divisible by num_heads={num_heads}")
    d = e // num_heads
    # project, then split the feature dim into heads: [B, L, E] -> [B, L, H, D] -> [B, H, L, D]
    q = F.linear(x_q, w_q, b_q).view(bsz, lq, num_heads, d).transpose(1, 2)
    k = F.linear(x_kv, w_k, b_k).view(bsz, lk, num_heads, d).transpose(1, 2)
    v = F.linear(x_kv, w_v, b_v).view(bsz, lk, num_heads, d).transpose(1, 2)
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(d)  # the head dim, not the model dim
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    # softmax over keys; rows with no allowed key get zero weights (their output is then just b_o)
    row_max = scores.amax(dim=-1, keepdim=True).detach()
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    weights = torch.exp(scores - row_max)
    denom = weights.sum(dim=-1, keepdim=True)
    weights = weights / torch.where(denom > 0, denom, torch.ones_like(denom))
    # merge heads back: [B, H, Lq, D] -> [B, Lq, H, D] -> [B, Lq, E]
    out = (weights @ v).transpose(1, 2).reshape(bsz, lq, e)
    return F.linear(out, w_o, b_o)
