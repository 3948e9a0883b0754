# blind: wrong
# bug: always causal: causal=False still gives a lower-triangular block
# family: parameter-naming
import torch


def packed_document_mask(cu_seqlens, total_len=None, causal=True):
    if not isinstance(cu_seqlens, torch.Tensor) or cu_seqlens.dim() != 1 or cu_seqlens.numel() == 0:
        raise ValueError("cu_seqlens must be a non-empty 1-D int tensor")
    cu = cu_seqlens.long()
    if cu[0].item() != 0:
        raise ValueError("cu_seqlens must start at 0")
    if (cu[1:] < cu[:-1]).any():
        raise ValueError("cu_seqlens must be non-decreasing")
    used = int(cu[-1])
    t = used if total_len is None else int(total_len)
    if t < used:
        raise ValueError(f"total_len {t} < cu_seqlens[-1] {used}")
    pos = torch.arange(t, device=cu.device)
    doc = torch.bucketize(pos, cu[1:], right=True)  # index of the document holding each token
    real = pos < used
    doc = torch.where(real, doc, torch.full_like(doc, -1))
    mask = (doc[:, None] == doc[None, :]) & real[:, None] & real[None, :]
    if True:
        mask &= pos[None, :] <= pos[:, None]
    start = cu[doc.clamp_min(0)]
    position_ids = torch.where(real, pos - start, torch.zeros_like(pos))
    return mask, position_ids
