"""Alternative: fill the blocks document by document with plain Python loops."""

from __future__ import annotations

import torch


def packed_document_mask(cu_seqlens, total_len=None, causal=True):
    if cu_seqlens.dim() != 1 or cu_seqlens.numel() == 0:
        raise ValueError("cu_seqlens must be a non-empty 1-D tensor")
    bounds = [int(x) for x in cu_seqlens.tolist()]
    if bounds[0] != 0 or any(b < a for a, b in zip(bounds, bounds[1:])):
        raise ValueError("cu_seqlens must start at 0 and be non-decreasing")
    total = bounds[-1] if total_len is None else int(total_len)
    if total < bounds[-1]:
        raise ValueError("total_len is smaller than cu_seqlens[-1]")
    mask = torch.zeros(total, total, dtype=torch.bool)
    positions = torch.zeros(total, dtype=torch.int64)
    for start, end in zip(bounds, bounds[1:]):
        for i in range(start, end):
            positions[i] = i - start
            for j in range(start, end):
                mask[i, j] = j <= i or not causal
    return mask.to(cu_seqlens.device), positions.to(cu_seqlens.device)
