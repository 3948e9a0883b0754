"""Alternative: the slopes by the recursive rule and the bias filled entry by entry."""

from __future__ import annotations

import math

import torch


def _slopes(n):
    if n & (n - 1) == 0:
        r = 2 ** (-8 / n)
        out, s = [], 1.0
        for _ in range(n):
            s *= r
            out.append(s)
        return out
    c = 2 ** int(math.log2(n))
    return _slopes(c) + _slopes(2 * c)[::2][: n - c]


def alibi_bias(num_heads, lq, lk, device="cpu", dtype=torch.float32):
    if num_heads <= 0:
        raise ValueError("num_heads must be positive")
    if lq > lk:
        raise ValueError("lq must not exceed lk")
    slopes = _slopes(num_heads)
    bias = torch.empty(num_heads, lq, lk, dtype=torch.float64)
    for h in range(num_heads):
        for i in range(lq):
            pos = lk - lq + i
            for j in range(lk):
                bias[h, i, j] = -slopes[h] * (pos - j)
    return bias.to(device=device, dtype=dtype)
