# blind: wrong
# bug: non-power-of-two H: takes the first H slopes of the next power of two
# family: other
import math

import torch


def _pow2_slopes(n):
    start = 2.0 ** (-8.0 / n)
    return [start ** (h + 1) for h in range(n)]


def _slopes(n):
    if n & (n - 1) == 0:
        return _pow2_slopes(n)
    p = 2 ** int(math.ceil(math.log2(n)))
    return _pow2_slopes(p)[:n]


def alibi_bias(num_heads, lq, lk, device="cpu", dtype=torch.float32):
    """The ALiBi bias [H, Lq, Lk]: bias[h, i, j] = -m_h * ((lk - lq + i) - j)."""
    if num_heads < 1:
        raise ValueError("num_heads must be >= 1")
    if lq > lk:
        raise ValueError("lq must not exceed lk")
    slopes = torch.tensor(_slopes(num_heads), dtype=torch.float64, device=device)
    q_pos = torch.arange(lq, dtype=torch.float64, device=device) + (lk - lq)
    k_pos = torch.arange(lk, dtype=torch.float64, device=device)
    dist = q_pos[:, None] - k_pos[None, :]
    return (-slopes[:, None, None] * dist).to(dtype)
