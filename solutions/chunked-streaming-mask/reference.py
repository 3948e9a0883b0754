"""Reference: the self-attention mask of chunked streaming ASR (True = may attend)."""

from __future__ import annotations

import torch


def chunk_causal_mask(T, chunk_size, left_chunks=-1, device=None):
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    chunk = torch.arange(T, device=device) // chunk_size  # the chunk of every frame
    q_chunk, k_chunk = chunk[:, None], chunk[None, :]
    # a frame sees its whole chunk (the chunk arrives at once) and earlier chunks, never later ones
    keep = k_chunk <= q_chunk
    if left_chunks >= 0:  # a negative value means the whole history
        keep = keep & (k_chunk >= q_chunk - left_chunks)
    return keep
