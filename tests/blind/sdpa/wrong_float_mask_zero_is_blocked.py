# blind: wrong
# bug: treats every mask as 'mask == 0 means blocked' (Annotated Transformer style), so an additive float mask blocks its 0 entries
# family: other
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    acc = torch.promote_types(q.dtype, torch.float32)
    scores = (q.to(acc) @ k.to(acc).transpose(-2, -1)) * scale
    if mask is not None:
        scores = scores.masked_fill(mask == 0, float("-inf"))
    row_max = scores.amax(dim=-1, keepdim=True)
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    p = torch.exp(scores - row_max)
    denom = p.sum(dim=-1, keepdim=True)
    weights = p / torch.where(denom > 0, denom, torch.ones_like(denom))
    return (weights @ v.to(acc)).to(q.dtype)
