# blind: wrong
# bug: document ids from a cumsum of boundary markers written at cu_seqlens[1:-1]: an interior boundary equal to the end of the row (a trailing empty document without padding) indexes past the row
# family: edge-case (empty document)
import torch


def packed_document_mask(cu_seqlens, total_len=None, causal=True):
    if cu_seqlens.dim() != 1 or cu_seqlens.numel() == 0:
        raise ValueError("cu_seqlens must be a non-empty 1-D tensor")
    cu = cu_seqlens.long()
    if cu[0] != 0 or (cu[1:] < cu[:-1]).any():
        raise ValueError("cu_seqlens must start at 0 and be non-decreasing")
    used = int(cu[-1])
    T = used if total_len is None else int(total_len)
    if used > T:
        raise ValueError("total_len < cu_seqlens[-1]")
    marks = torch.zeros(T, dtype=torch.long, device=cu.device)
    marks[cu[1:-1]] = 1  # a new document starts here
    doc = marks.cumsum(0)
    idx = torch.arange(T, device=cu.device)
    real = idx < used
    mask = (doc[:, None] == doc[None, :]) & real[:, None] & real[None, :]
    if causal:
        mask = mask & (idx[None, :] <= idx[:, None])
    first = torch.zeros(T, dtype=torch.long, device=cu.device)
    first[cu[1:-1]] = cu[1:-1]
    start = first.cummax(0).values
    position_ids = torch.where(real, idx - start, torch.zeros_like(idx))
    return mask, position_ids
