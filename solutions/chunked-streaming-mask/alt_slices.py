"""Alternative: fill each query row with one slice [start, end) computed from its chunk."""

import torch


def chunk_causal_mask(T, chunk_size, left_chunks=-1, device=None):
    if chunk_size <= 0:
        raise ValueError("chunk_size must be positive")
    mask = torch.zeros(T, T, dtype=torch.bool, device=device)
    for i in range(T):
        c = i // chunk_size
        start = 0 if left_chunks < 0 else max(0, (c - left_chunks) * chunk_size)
        end = min(T, (c + 1) * chunk_size)
        mask[i, start:end] = True
    return mask
