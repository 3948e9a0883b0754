# blind: correct
# family: chunk-level mask expanded with repeat_interleave
import torch


def chunk_causal_mask(T, chunk_size, left_chunks=-1, device=None):
    if chunk_size < 1:
        raise ValueError(f"chunk_size={chunk_size} < 1")
    n = -(-T // chunk_size)  # number of chunks, the last one may be shorter
    grid = torch.ones(n, n, dtype=torch.bool, device=device).tril()
    if left_chunks >= 0:
        grid = grid.triu(-left_chunks)
    full = grid.repeat_interleave(chunk_size, dim=0).repeat_interleave(chunk_size, dim=1)
    return full[:T, :T].contiguous()
