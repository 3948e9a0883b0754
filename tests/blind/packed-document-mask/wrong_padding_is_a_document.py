# blind: wrong
# bug: padding tokens share an id and so attend to each other (treated as one more document)
# family: edge-case (padding)
import torch


def packed_document_mask(cu_seqlens, total_len=None, causal=True):
    if cu_seqlens.dim() != 1:
        raise ValueError(f"cu_seqlens must be 1-D, got shape {tuple(cu_seqlens.shape)}")
    if cu_seqlens.numel() == 0:
        raise ValueError("cu_seqlens is empty")
    if int(cu_seqlens[0]) != 0:
        raise ValueError("cu_seqlens must start at 0")
    lens = torch.diff(cu_seqlens.to(torch.int64))
    if (lens < 0).any():
        raise ValueError("cu_seqlens must be non-decreasing")
    used = int(cu_seqlens[-1])
    T = used if total_len is None else total_len
    if used > T:
        raise ValueError("total_len < cu_seqlens[-1]")
    dev = cu_seqlens.device
    n_docs = lens.numel()
    doc = torch.repeat_interleave(torch.arange(n_docs, device=dev), lens)
    doc = torch.cat([doc, torch.full((T - used,), n_docs, device=dev, dtype=torch.int64)])  # padding id
    is_real = doc < n_docs
    same = doc.unsqueeze(1) == doc.unsqueeze(0)
    mask = same
    if causal:
        mask = torch.tril(mask)
    starts = torch.repeat_interleave(cu_seqlens[:-1].to(torch.int64), lens)
    pos = torch.arange(used, device=dev, dtype=torch.int64) - starts
    position_ids = torch.cat([pos, torch.zeros(T - used, dtype=torch.int64, device=dev)])
    return mask, position_ids
