"""Alternative: plain Python loops over batch rows, queries and keys."""

from __future__ import annotations

import torch


def decoder_mask_and_positions(attention_mask):
    if attention_mask.dim() != 2:
        raise ValueError("attention_mask must be 2-D")
    rows = [[int(x) != 0 for x in row] for row in attention_mask.tolist()]
    b, n = attention_mask.shape
    mask = torch.zeros(b, 1, n, n, dtype=torch.bool)
    positions = torch.ones(b, n, dtype=torch.int64)
    for r, row in enumerate(rows):
        seen = False
        count = 0
        for i, is_real in enumerate(row):
            if seen and not is_real:
                raise ValueError("a pad after a real token: not left-padded")
            seen = seen or is_real
            if is_real:
                positions[r, i] = count
                count += 1
            for j in range(i + 1):
                mask[r, 0, i, j] = row[j]
    return mask.to(attention_mask.device), positions.to(attention_mask.device)
