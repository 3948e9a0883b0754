"""Reference: rotary position embedding (Su et al., 2021) in the half-split layout (GPT-NeoX style)."""

from __future__ import annotations

import torch


def apply_rope(x, positions, base=10000.0):
    d = x.shape[-1]
    if d % 2 != 0:
        raise ValueError(f"RoPE rotates pairs of features, so the last dim must be even, got {d}")
    half = d // 2
    # angles in at least float32: in float16, p * theta for p in the thousands is off by whole radians
    work = torch.promote_types(x.dtype, torch.float32)
    i = torch.arange(half, device=x.device, dtype=work)
    inv_freq = base ** (-2.0 * i / d)  # theta_i = base^(-2i/D), [D/2]
    angles = positions.to(work)[:, None] * inv_freq[None, :]  # [L, D/2]
    cos, sin = angles.cos(), angles.sin()
    xf = x.to(work)
    # feature i is paired with feature i + D/2 (not with its neighbour i + 1)
    x1, x2 = xf[..., :half], xf[..., half:]  # [..., L, D/2] each
    out = torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)  # [..., L, D]
    return out.to(x.dtype)
