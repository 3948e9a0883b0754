# blind: wrong
# bug: returns an additive float mask (0 / -inf) instead of the bool mask the prompt asks for
# family: dtype
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
    idx = torch.arange(T, device=cu.device)
    doc = torch.searchsorted(cu, idx, right=True) - 1
    real = idx < used
    allowed = (doc[:, None] == doc[None, :]) & real[:, None] & real[None, :]
    if causal:
        allowed &= idx[None, :] <= idx[:, None]
    mask = torch.zeros(T, T, device=cu.device).masked_fill(~allowed, float("-inf"))
    position_ids = torch.where(real, idx - cu[doc.clamp(max=len(cu) - 1)], torch.zeros_like(idx))
    return mask, position_ids
