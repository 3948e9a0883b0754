# blind: wrong
# bug: does the exp / sum / divide in the input dtype (float16/bfloat16) instead of at least float32
# family: precision
import torch


def masked_softmax(scores, mask, dim=-1):
    acc = scores.dtype
    x = scores.to(acc).masked_fill(~mask, float("-inf"))
    row_max = x.amax(dim=dim, keepdim=True)
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    e = torch.exp(x - row_max)
    total = e.sum(dim=dim, keepdim=True)
    out = torch.where(total > 0, e / total, torch.zeros_like(e))
    return out.to(scores.dtype)
