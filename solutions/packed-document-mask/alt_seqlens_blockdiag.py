"""Alternative: per-document lengths from diff, then torch.block_diag of lower-triangular blocks."""

from __future__ import annotations

import torch


def packed_document_mask(cu_seqlens, total_len=None, causal=True):
    if cu_seqlens.dim() != 1 or len(cu_seqlens) == 0 or cu_seqlens[0] != 0:
        raise ValueError("cu_seqlens must be 1-D and start at 0")
    seqlens = torch.diff(cu_seqlens.long())
    if (seqlens < 0).any():
        raise ValueError("cu_seqlens decreases")
    used = int(cu_seqlens[-1])
    total = used if total_len is None else total_len
    if total < used:
        raise ValueError("total_len < cu_seqlens[-1]")
    dev = cu_seqlens.device
    blocks = [torch.ones(n, n, dtype=torch.bool, device=dev) for n in seqlens.tolist()]
    if causal:
        blocks = [b.tril() for b in blocks]
    blocks.append(torch.zeros(total - used, total - used, dtype=torch.bool, device=dev))  # padding tail
    mask = torch.block_diag(*blocks)
    positions = torch.cat([torch.arange(n, device=dev) for n in seqlens.tolist()]
                          + [torch.zeros(total - used, dtype=torch.int64, device=dev)])
    return mask, positions.long()
