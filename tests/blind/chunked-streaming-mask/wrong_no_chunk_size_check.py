# blind: wrong
# bug: never raises for chunk_size < 1
# family: edge-case
import torch


def chunk_causal_mask(T, chunk_size, left_chunks=-1, device=None):
    chunk = torch.arange(T, device=device) // chunk_size
    qc, kc = chunk[:, None], chunk[None, :]
    mask = kc <= qc
    if left_chunks >= 0:
        mask &= kc >= qc - left_chunks
    return mask
