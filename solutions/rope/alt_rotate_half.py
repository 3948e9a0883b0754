"""RoPE written as x * cos + rotate_half(x) * sin with full-width cos/sin tables (the Hugging Face form)."""

from __future__ import annotations

import torch


def _rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


def apply_rope(x, positions, base=10000.0):
    dim = x.shape[-1]
    if dim % 2 == 1:
        raise ValueError(f"odd feature dim {dim}")
    acc = torch.float64 if x.dtype == torch.float64 else torch.float32
    exponents = torch.arange(0, dim, 2, device=x.device, dtype=acc) / dim  # 2i / D
    inv_freq = 1.0 / (base ** exponents)
    freqs = positions.to(acc).unsqueeze(-1) * inv_freq  # [L, D/2]
    emb = torch.cat((freqs, freqs), dim=-1)  # [L, D]: the same angle for features i and i + D/2
    xa = x.to(acc)
    return (xa * emb.cos() + _rotate_half(xa) * emb.sin()).to(x.dtype)
