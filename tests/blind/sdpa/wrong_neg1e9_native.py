# blind: wrong
# bug: masked_fill(-1e9) in q's dtype and a plain softmax: overflows float16, a fully masked row becomes uniform
# family: mask-fill
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    acc = q.dtype
    scores = (q.to(acc) @ k.to(acc).transpose(-2, -1)) * scale
    if mask is not None:
        if mask.dtype == torch.bool:
            scores = scores.masked_fill(~mask, -1e9)
        else:
            scores = scores + mask.to(acc)
    weights = torch.softmax(scores, dim=-1)
    return (weights @ v.to(acc)).to(q.dtype)
