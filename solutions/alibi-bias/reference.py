"""Reference: the ALiBi bias (Press et al.): a per-head linear penalty on query-key distance."""

from __future__ import annotations

import math

import torch


def _power_of_two_slopes(n):
    # geometric sequence starting at 2^(-8/n) with that same ratio: 2^(-8/n), 2^(-16/n), ..., 2^(-8)
    start = 2.0 ** (-8.0 / n)
    return [start ** (h + 1) for h in range(n)]


def alibi_slopes(n):
    if math.log2(n).is_integer():
        return _power_of_two_slopes(n)
    # the paper's rule: slopes of the closest smaller power of two, then every other slope of twice that
    closest = 2 ** math.floor(math.log2(n))
    return _power_of_two_slopes(closest) + _power_of_two_slopes(2 * closest)[0::2][: n - closest]


def alibi_bias(num_heads, lq, lk, device="cpu", dtype=torch.float32):
    if num_heads < 1:
        raise ValueError(f"num_heads must be >= 1, got {num_heads}")
    if lq > lk:
        raise ValueError(f"the queries are the last lq of lk positions, so lq <= lk is required (got {lq} > {lk})")
    slopes = torch.tensor(alibi_slopes(num_heads), dtype=torch.float64, device=device)  # [H]
    q_pos = torch.arange(lk - lq, lk, dtype=torch.float64, device=device)  # end-aligned query positions
    k_pos = torch.arange(lk, dtype=torch.float64, device=device)
    distance = q_pos[:, None] - k_pos[None, :]  # [Lq, Lk], positive for past keys
    bias = -slopes[:, None, None] * distance  # [H, Lq, Lk]
    return bias.to(dtype)
