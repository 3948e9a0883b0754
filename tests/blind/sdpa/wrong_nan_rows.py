# blind: wrong
# bug: plain torch.softmax after -inf filling: rows with no allowed key are NaN
# family: nan-rows
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    acc = torch.promote_types(q.dtype, torch.float32)
    scores = (q.to(acc) @ k.to(acc).transpose(-2, -1)) * scale
    if mask is not None:
        if mask.dtype == torch.bool:
            scores = scores.masked_fill(~mask, float("-inf"))
        else:
            scores = scores + mask.to(acc)
    weights = torch.softmax(scores, dim=-1)
    return (weights @ v.to(acc)).to(q.dtype)
