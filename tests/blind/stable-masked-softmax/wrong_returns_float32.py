# blind: wrong
# bug: returns the float32 probabilities for half inputs
# family: dtype
import torch


def masked_softmax(scores, mask, dim=-1):
    acc = torch.promote_types(scores.dtype, torch.float32)
    x = scores.to(acc).masked_fill(~mask, float("-inf"))
    row_max = x.amax(dim=dim, keepdim=True)
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    e = torch.exp(x - row_max)
    total = e.sum(dim=dim, keepdim=True)
    out = torch.where(total > 0, e / total, torch.zeros_like(e))
    return out if scores.dtype == torch.float64 else out.float()
