"""RoPE as complex multiplication: the pair (x_i, x_{i+D/2}) is the complex number x_i + i x_{i+D/2}."""

from __future__ import annotations

import math

import torch


def apply_rope(x, positions, base=10000.0):
    if x.shape[-1] % 2:
        raise ValueError("the feature dim must be even")
    h = x.shape[-1] // 2
    real = torch.float64 if x.dtype == torch.float64 else torch.float32
    theta = torch.exp(torch.arange(h, dtype=torch.float64, device=x.device) * (-2.0 * math.log(base) / x.shape[-1]))
    ang = torch.outer(positions.to(torch.float64), theta)  # [L, D/2], float64 angles
    rot = torch.polar(torch.ones_like(ang), ang).to(torch.complex128 if real == torch.float64 else torch.complex64)
    xc = torch.complex(x[..., :h].to(real), x[..., h:].to(real))  # [..., L, D/2]
    y = xc * rot
    return torch.cat([y.real, y.imag], dim=-1).to(x.dtype)
