# blind: wrong
# bug: default scale uses the value dim Dv instead of the key dim D
# family: scale
import math

import torch


def grouped_query_attention(q, k, v, causal=False, scale=None):
    """q [B, Hq, Lq, D], k [B, Hkv, Lk, D], v [B, Hkv, Lk, Dv] -> [B, Hq, Lq, Dv]."""
    hq, hkv = q.shape[1], k.shape[1]
    if hq % hkv != 0:
        raise ValueError(f"Hq={hq} is not a multiple of Hkv={hkv}")
    group = hq // hkv
    if scale is None:
        scale = 1.0 / math.sqrt(v.shape[-1])
    work = torch.float32 if q.dtype in (torch.float16, torch.bfloat16) else q.dtype
    k = k.to(work).repeat_interleave(group, dim=1)
    v = v.to(work).repeat_interleave(group, dim=1)
    scores = (q.to(work) @ k.transpose(-2, -1)) * scale
    lq, lk = q.shape[-2], k.shape[-2]
    if causal:
        allowed = torch.ones(lq, lk, dtype=torch.bool, device=q.device).tril(diagonal=lk - lq)
        scores = scores.masked_fill(~allowed, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    weights = torch.nan_to_num(weights, nan=0.0)
    return (weights @ v).to(q.dtype)
