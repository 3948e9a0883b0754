"""Alternative: from each row's pad count, shift an arange; mask by comparing key index with the offsets."""

from __future__ import annotations

import torch


def decoder_mask_and_positions(attention_mask):
    if attention_mask.dim() != 2:
        raise ValueError("attention_mask must be 2-D")
    b, n = attention_mask.shape
    real = attention_mask.bool()
    pads = n - real.sum(-1)  # [B]
    idx = torch.arange(n, device=attention_mask.device)
    if not torch.equal(real, idx.unsqueeze(0) >= pads.unsqueeze(1)):
        raise ValueError("expected left padding")
    i = idx.view(1, 1, n, 1)
    j = idx.view(1, 1, 1, n)
    mask = (j <= i) & (j >= pads.view(b, 1, 1, 1))  # [B, 1, L, L]
    positions = torch.where(real, idx.unsqueeze(0) - pads.unsqueeze(1), torch.ones_like(idx))  # [B, L]
    return mask, positions.long()
