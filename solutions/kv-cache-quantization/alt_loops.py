"""Alternative: explicit loops over (batch, head), with torch.max of |x| and an explicit zero test."""

from __future__ import annotations

import torch


def quantize_kv_cache(k, v):
    if k.ndim != 4 or v.ndim != 4 or tuple(k.shape[:3]) != tuple(v.shape[:3]):
        raise ValueError("k and v must both be [B, Hkv, L, *] with the same B, Hkv and L")
    b, h, length, d = k.shape
    dv = v.shape[-1]
    k_codes = torch.empty(b, h, length, d, dtype=torch.int8, device=k.device)
    v_codes = torch.empty(b, h, length, dv, dtype=torch.int8, device=v.device)
    k_scale = torch.empty(b, h, 1, d, dtype=torch.float32, device=k.device)
    v_scale = torch.empty(b, h, length, 1, dtype=torch.float32, device=v.device)
    for i in range(b):
        for j in range(h):
            kij = k[i, j].float()  # [L, D]
            peak = torch.max(kij.abs(), dim=0).values  # [D]: the largest |key| of each channel
            s = peak / 127
            s[peak == 0] = 1.0
            k_scale[i, j, 0] = s
            k_codes[i, j] = torch.clamp(torch.round(kij / s), -127, 127).to(torch.int8)
            vij = v[i, j].float()  # [L, Dv]
            peak = torch.max(vij.abs(), dim=1).values  # [L]: the largest |value| of each token
            s = peak / 127
            s[peak == 0] = 1.0
            v_scale[i, j, :, 0] = s
            v_codes[i, j] = torch.clamp(torch.round(vij / s[:, None]), -127, 127).to(torch.int8)
    return k_codes, k_scale, v_codes, v_scale
