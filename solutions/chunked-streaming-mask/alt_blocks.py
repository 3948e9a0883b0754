"""Alternative: a block pattern over chunks, expanded to frames with repeat_interleave and cropped."""

import math

import torch


def chunk_causal_mask(T, chunk_size, left_chunks=-1, device=None):
    if chunk_size < 1:
        raise ValueError("chunk_size must be >= 1")
    n = max(1, math.ceil(T / chunk_size))
    blocks = torch.ones(n, n, dtype=torch.bool, device=device).tril()
    if left_chunks >= 0:
        blocks = blocks.triu(-left_chunks)
    frames = blocks.repeat_interleave(chunk_size, 0).repeat_interleave(chunk_size, 1)
    return frames[:T, :T].contiguous()
