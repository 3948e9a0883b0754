"""Reference: symmetric int8 quantisation of a KV cache block, keys per channel and values per token (KIVI)."""

from __future__ import annotations

import torch

QMAX = 127  # symmetric int8 range [-127, 127]; -128 is never used, so negation cannot overflow


def _quantise(x, dim):
    """int8 codes and float32 scales of `x`, one scale per slice reduced over `dim` (kept as size 1)."""
    xf = x.to(torch.float32)
    amax = xf.abs().amax(dim=dim, keepdim=True)
    # an all-zero group gets scale 1: it decodes to exact zeros and nothing is divided by zero
    scale = torch.where(amax > 0, amax / QMAX, torch.ones_like(amax))
    codes = torch.round(xf / scale).clamp(-QMAX, QMAX).to(torch.int8)
    return codes, scale


def quantize_kv_cache(k, v):
    if k.dim() != 4 or v.dim() != 4:
        raise ValueError(f"k and v must be [B, Hkv, L, D], got {tuple(k.shape)} and {tuple(v.shape)}")
    if k.shape[:3] != v.shape[:3]:
        raise ValueError(f"k and v must agree in batch, heads and length, got {tuple(k.shape)} and {tuple(v.shape)}")
    k_codes, k_scale = _quantise(k, dim=-2)  # keys: one scale per channel, over the block's tokens
    v_codes, v_scale = _quantise(v, dim=-1)  # values: one scale per token, over its channels
    return k_codes, k_scale, v_codes, v_scale
