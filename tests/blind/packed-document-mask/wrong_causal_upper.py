# blind: wrong
# bug: causal block built with triu: a token attends to the later tokens of its document
# family: mask-polarity
import torch


def packed_document_mask(cu_seqlens, total_len=None, causal=True):
    """Fill one diagonal block per document."""
    if cu_seqlens.ndim != 1 or len(cu_seqlens) == 0:
        raise ValueError("cu_seqlens: expected a non-empty 1-D tensor")
    bounds = [int(x) for x in cu_seqlens.tolist()]
    if bounds[0] != 0:
        raise ValueError("cu_seqlens[0] must be 0")
    for a, b in zip(bounds, bounds[1:]):
        if b < a:
            raise ValueError("cu_seqlens decreases")
    if total_len is None:
        total_len = bounds[-1]
    if total_len < bounds[-1]:
        raise ValueError("total_len is shorter than the packed documents")
    dev = cu_seqlens.device
    mask = torch.zeros(total_len, total_len, dtype=torch.bool, device=dev)
    position_ids = torch.zeros(total_len, dtype=torch.int64, device=dev)
    for start, end in zip(bounds, bounds[1:]):
        n = end - start
        if n == 0:
            continue
        block = torch.ones(n, n, dtype=torch.bool, device=dev)
        mask[start:end, start:end] = block.triu() if causal else block
        position_ids[start:end] = torch.arange(n, device=dev)
    return mask, position_ids
