"""Known mistake: the own chunk is written with two index tensors, which pairs them (only the diagonal)."""

import torch


def chunk_causal_mask(T, chunk_size, left_chunks=-1, device=None):
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    mask = torch.zeros(T, T, dtype=torch.bool, device=device)
    for start in range(0, T, chunk_size):
        end = min(T, start + chunk_size)
        c = start // chunk_size
        lo = 0 if left_chunks < 0 else max(0, (c - left_chunks) * chunk_size)
        rows = torch.arange(start, end, device=device)
        mask[start:end, lo:start] = True  # earlier chunks: a slice, correct
        mask[rows, rows] = True  # own chunk: pairs (i, i), not the block rows x rows
    return mask
