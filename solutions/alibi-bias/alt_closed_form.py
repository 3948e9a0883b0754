"""Alternative: each head's slope in closed form, bias built by broadcasting in the target dtype."""

from __future__ import annotations

import torch


def alibi_bias(num_heads, lq, lk, device="cpu", dtype=torch.float32):
    if num_heads < 1 or lq > lk:
        raise ValueError("need num_heads >= 1 and lq <= lk")
    p = 1 << (num_heads.bit_length() - 1)  # largest power of two <= num_heads
    exps = [8.0 * (h + 1) / p for h in range(p)]  # slope 2^(-8(h+1)/p)
    exps += [4.0 * (2 * k + 1) / p for k in range(num_heads - p)]  # odd entries of the 2p-head sequence
    slopes = torch.tensor([2.0 ** -e for e in exps], dtype=torch.float64)
    i = torch.arange(lq).view(1, lq, 1) + (lk - lq)
    j = torch.arange(lk).view(1, 1, lk)
    bias = slopes.view(-1, 1, 1) * (j - i)  # [H, Lq, Lk]
    return bias.to(device=device, dtype=dtype)
