"""Reference: F.scaled_dot_product_attention with one bool mask (True = may attend) built from a
key-padding mask (True = PAD, nn.MultiheadAttention polarity) and a bottom-right causal pattern."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def attention_with_sdpa(q, k, v, key_padding_mask=None, causal=False):
    lq, lk = q.shape[-2], k.shape[-2]
    keep = torch.ones(lq, lk, dtype=torch.bool, device=q.device)  # [Lq, Lk]
    if key_padding_mask is not None:
        # flip to SDPA's polarity (True = may attend) and vary only along the key axis
        keep = keep & ~key_padding_mask[:, None, None, :]  # [B, 1, Lq, Lk]
    if causal:
        # bottom-right: query i is position lk - lq + i and sees keys 0 ... lk - lq + i.
        # is_causal=True would align top-left, and the docs forbid attn_mask together with is_causal.
        allowed = torch.ones(lq, lk, dtype=torch.bool, device=q.device).tril(diagonal=lk - lq)
        keep = keep & allowed
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)  # [B, H, Lq, Dv]
    # PyTorch >= 2.5 already returns 0 for a row with no allowed key; the fill states the contract
    # and guards older versions and backends
    return out.masked_fill(~keep.any(dim=-1, keepdim=True), 0.0)
