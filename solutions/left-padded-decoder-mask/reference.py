"""Reference: causal + padding mask and position ids for a LEFT-padded batch (batched generation)."""

from __future__ import annotations

import torch


def decoder_mask_and_positions(attention_mask):
    if attention_mask.dim() != 2:
        raise ValueError(f"attention_mask must be [B, L], got shape {list(attention_mask.shape)}")
    real = attention_mask != 0  # [B, L], True = a real token
    # left padding: once a row has started, it never returns to padding
    if (real[:, :-1] & ~real[:, 1:]).any():
        raise ValueError("attention_mask is not left-padded: a pad (0) follows a real token")
    length = real.shape[-1]
    causal = torch.ones(length, length, dtype=torch.bool, device=real.device).tril()  # [L, L]
    mask = causal & real[:, None, None, :]  # [B, 1, L, L]: not a future key and not a pad key
    # the first real token is position 0 however many pads precede it
    positions = real.long().cumsum(-1) - 1  # [B, L]
    positions = positions.masked_fill(~real, 1)  # pads: a harmless valid index (their rows are discarded)
    return mask, positions
