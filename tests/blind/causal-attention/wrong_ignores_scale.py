# blind: wrong
# bug: ignores the scale argument and always uses 1/sqrt(D)
# family: scale
import math

import torch


def causal_attention(q, k, v, scale=None):
    """q [B, H, Lq, D], k [B, H, Lk, D], v [B, H, Lk, Dv] -> [B, H, Lq, Dv], bottom-right causal."""
    lq, lk = q.shape[-2], k.shape[-2]
    if lq > lk:
        raise ValueError(f"Lq={lq} > Lk={lk}")
    scale = 1.0 / math.sqrt(q.shape[-1])
    work = torch.float32 if q.dtype in (torch.float16, torch.bfloat16) else q.dtype
    scores = (q.to(work) @ k.to(work).transpose(-2, -1)) * scale
    allowed = torch.ones(lq, lk, dtype=torch.bool, device=q.device).tril(diagonal=lk - lq)
    scores = scores.masked_fill(~allowed, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return (weights @ v.to(work)).to(q.dtype)
