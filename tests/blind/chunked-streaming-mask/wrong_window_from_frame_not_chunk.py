# blind: wrong
# bug: starts the left window left_chunks*chunk_size frames before the frame, not at a chunk boundary
# family: off-by-one
import torch


def chunk_causal_mask(T, chunk_size, left_chunks=-1, device=None):
    if chunk_size < 1:
        raise ValueError("chunk_size must be a positive integer")
    ret = torch.zeros(T, T, dtype=torch.bool, device=device)
    for i in range(T):
        c = i // chunk_size
        start = 0 if left_chunks < 0 else max(i - left_chunks * chunk_size, 0)
        end = min((c + 1) * chunk_size, T)
        ret[i, start:end] = True
    return ret
