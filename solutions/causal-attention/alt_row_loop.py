"""Alternative: one query row at a time, attending to the prefix of keys it may see."""

import math

import torch


def causal_attention(q, k, v, scale=None):
    lq, lk = q.shape[-2], k.shape[-2]
    if lq > lk:
        raise ValueError("the queries must be the last Lq of the Lk positions")
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    work = torch.promote_types(q.dtype, torch.float32)
    rows = []
    for i in range(lq):
        visible = lk - lq + i + 1
        s = (q[..., i : i + 1, :].to(work) @ k[..., :visible, :].to(work).transpose(-1, -2)) * scale
        p = torch.exp(s - s.max(dim=-1, keepdim=True).values)
        rows.append((p / p.sum(-1, keepdim=True)) @ v[..., :visible, :].to(work))
    return torch.cat(rows, dim=-2).to(q.dtype)
