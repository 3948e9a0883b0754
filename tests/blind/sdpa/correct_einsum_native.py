# blind: correct
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
    """Plain version in q's dtype: finite fill value, then rows with no allowed key zeroed."""
    d = q.shape[-1]
    scale = 1 / math.sqrt(d) if scale is None else scale
    s = torch.einsum("...qd,...kd->...qk", q, k) * scale
    allowed = None
    if mask is not None:
        if mask.dtype == torch.bool:
            allowed = mask
            s = s.masked_fill(~mask, torch.finfo(s.dtype).min)
        else:
            allowed = mask != float("-inf")
            s = torch.clamp(s + mask.to(s.dtype), min=torch.finfo(s.dtype).min)
    w = torch.softmax(s, dim=-1)
    if allowed is not None:
        w = w * allowed.any(dim=-1, keepdim=True) * allowed
    return torch.einsum("...qk,...kd->...qd", w, v)
