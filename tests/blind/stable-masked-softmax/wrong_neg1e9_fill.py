# blind: wrong
# bug: fills masked entries with -1e9 in the input dtype: overflows float16, and an empty slice comes out uniform
# family: mask-fill
import torch


def masked_softmax(scores, mask, dim=-1):
    acc = torch.promote_types(scores.dtype, torch.float32)
    x = scores.masked_fill(~mask, -1e9).to(acc)
    row_max = x.amax(dim=dim, keepdim=True)
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    e = torch.exp(x - row_max)
    total = e.sum(dim=dim, keepdim=True)
    out = torch.where(total > 0, e / total, torch.zeros_like(e))
    return out.to(scores.dtype)
