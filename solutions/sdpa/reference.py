"""Reference: scaled dot-product attention (Vaswani et al., 2017), bool mask True = may attend."""

from __future__ import annotations

import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])  # the key/query head dim D, never the model dim
    scores = (q @ k.transpose(-2, -1)) * scale  # [..., Lq, Lk]
    if mask is not None:
        if mask.dtype == torch.bool:
            scores = scores.masked_fill(~mask, float("-inf"))
        else:
            scores = scores + mask  # a float mask is a bias: 0 allowed, -inf blocked
    # softmax over the key axis, stabilised by the row max; a row with no allowed key has max -inf,
    # so use 0 there: exp(-inf) = 0 everywhere and the row outputs zeros instead of NaN
    row_max = scores.amax(dim=-1, keepdim=True).detach()
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    weights = torch.exp(scores - row_max)
    denom = weights.sum(dim=-1, keepdim=True)
    weights = weights / torch.where(denom > 0, denom, torch.ones_like(denom))
    return weights @ v  # [..., Lq, Dv]
