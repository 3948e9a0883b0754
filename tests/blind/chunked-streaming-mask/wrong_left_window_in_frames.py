# blind: wrong
# bug: counts left_chunks in frames, not chunks
# family: scale
import torch


def chunk_causal_mask(T, chunk_size, left_chunks=-1, device=None):
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    chunk = torch.arange(T, device=device) // chunk_size
    qc, kc = chunk[:, None], chunk[None, :]
    mask = kc <= qc
    if left_chunks >= 0:
        pos = torch.arange(T, device=device)
        mask &= pos[None, :] >= pos[:, None] - left_chunks
    return mask
