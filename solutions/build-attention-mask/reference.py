"""Reference: padding mask (True = pad) + optional causal pattern -> bool [B, 1, Lq, Lk], True = may attend."""

from __future__ import annotations

import torch


def build_attention_mask(key_padding_mask, lq, causal, q_offset=None):
    lk = key_padding_mask.shape[-1]
    device = key_padding_mask.device
    keep = ~key_padding_mask[:, None, None, :]  # [B, 1, 1, Lk]: the input says True = PAD, we return True = keep
    keep = keep.expand(-1, 1, lq, lk)  # [B, 1, Lq, Lk]
    if causal:
        offset = lk - lq if q_offset is None else q_offset  # absolute position of the first query
        if offset < 0 or offset + lq > lk:
            raise ValueError(f"queries at positions {offset} ... {offset + lq - 1} need keys 0 ... {offset + lq - 1}, "
                             f"but there are only {lk} keys")
        # query i sits at position offset + i and may see keys 0 ... offset + i
        allowed = torch.ones(lq, lk, dtype=torch.bool, device=device).tril(diagonal=offset)
        keep = keep & allowed  # AND: a key must be both real and not in the future
    return keep.clone()  # a real tensor, not an expanded view of the input
