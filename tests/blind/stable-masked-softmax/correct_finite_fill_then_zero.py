# blind: correct
import torch


def masked_softmax(scores, mask, dim=-1):
    """float32 softmax with a finite fill, then masked entries and empty slices forced to exactly 0."""
    work = torch.float64 if scores.dtype == torch.float64 else torch.float32
    keep = mask.expand_as(scores)
    x = torch.where(keep, scores.to(work), torch.finfo(work).min)
    p = torch.softmax(x, dim=dim)
    p = p * keep * keep.any(dim=dim, keepdim=True)
    return p.to(scores.dtype)
