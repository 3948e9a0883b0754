"""Alternative: O(Lq * window) memory. Gather each query's band of keys instead of masking a dense matrix."""

import math

import torch


def sliding_window_attention(q, k, v, window, causal=True):
    Lq, Lk = q.shape[-2], k.shape[-2]
    if window < 1 or Lq > Lk:
        raise ValueError("need window >= 1 and Lq <= Lk")
    offsets = torch.arange(-(window - 1), 1 if causal else window, device=q.device)  # [W]
    centre = torch.arange(Lk - Lq, Lk, device=q.device)  # absolute query positions
    idx = centre[:, None] + offsets[None, :]  # [Lq, W] key positions in each band
    valid = (idx >= 0) & (idx < Lk)
    idx = idx.clamp(0, Lk - 1)
    kb = k[..., idx, :]  # [B, H, Lq, W, D]
    vb = v[..., idx, :]  # [B, H, Lq, W, Dv]
    s = torch.einsum("...qd,...qwd->...qw", q, kb) / math.sqrt(q.shape[-1])
    s = s.masked_fill(~valid, float("-inf"))
    p = torch.softmax(s, dim=-1)
    return torch.einsum("...qw,...qwd->...qd", p, vb)
