"""Reference: a masked softmax that is finite for large logits, half precision and fully masked rows."""

from __future__ import annotations

import torch


def masked_softmax(scores, mask, dim=-1):
    mask = torch.broadcast_to(mask.to(scores.device), scores.shape)
    # statistics in at least float32: float16 exp overflows above ~11, and bfloat16 keeps 8 bits of mantissa
    x = scores.float() if scores.dtype in (torch.float16, torch.bfloat16) else scores
    x = x.masked_fill(~mask, float("-inf"))
    row_max = x.amax(dim=dim, keepdim=True)
    # a row with no kept entry has max -inf; use 0 there so that -inf - max stays -inf instead of NaN
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    e = torch.exp(x - row_max)  # kept entries in (0, 1], masked ones exactly 0
    denom = e.sum(dim=dim, keepdim=True)
    out = e / torch.where(denom > 0, denom, torch.ones_like(denom))  # empty rows: 0 / 1 = 0
    return out.to(scores.dtype)
