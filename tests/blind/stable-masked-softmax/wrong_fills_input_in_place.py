# blind: wrong
# bug: masked_fill_ on the caller's scores tensor (the input is overwritten with -inf)
# family: mutation
import torch


def masked_softmax(scores, mask, dim=-1):
    acc = torch.promote_types(scores.dtype, torch.float32)
    scores.masked_fill_(~mask, float("-inf"))
    x = scores.to(acc)
    row_max = x.amax(dim=dim, keepdim=True)
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    e = torch.exp(x - row_max)
    total = e.sum(dim=dim, keepdim=True)
    out = torch.where(total > 0, e / total, torch.zeros_like(e))
    return out.to(scores.dtype)
