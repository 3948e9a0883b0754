"""Reference: the attention mask and position ids of packed documents, from cumulative sequence lengths."""

from __future__ import annotations

import torch


def packed_document_mask(cu_seqlens, total_len=None, causal=True):
    if cu_seqlens.dim() != 1 or cu_seqlens.numel() < 1:
        raise ValueError(f"cu_seqlens must be 1-D with at least one entry, got shape {list(cu_seqlens.shape)}")
    cu = cu_seqlens.long()
    if int(cu[0]) != 0 or bool((cu[1:] < cu[:-1]).any()):
        raise ValueError("cu_seqlens must start at 0 and never decrease")
    used = int(cu[-1])
    total = used if total_len is None else int(total_len)
    if total < used:
        raise ValueError(f"total_len {total} is shorter than the packed tokens {used}")
    idx = torch.arange(total, device=cu.device)
    # document of token t: the number of boundaries cu[1:] at or before t (a token at cu[k] starts document k)
    doc = torch.searchsorted(cu[1:], idx, right=True)  # [T]; tokens past cu[-1] get N = "padding"
    real = idx < used
    same_doc = (doc[:, None] == doc[None, :]) & real[:, None] & real[None, :]  # [T, T]
    mask = same_doc & (idx[None, :] <= idx[:, None]) if causal else same_doc
    # positions restart at 0 in every document; padding tokens get 0
    start = cu[doc.clamp(max=cu.numel() - 1)]
    positions = torch.where(real, idx - start, torch.zeros_like(idx))
    return mask, positions
