# blind: correct
# family: other
import math

import torch


def causal_attention(q, k, v, scale=None):
    """One query at a time: query i sees the key prefix 0 .. Lk - Lq + i."""
    lq, lk = q.shape[-2], k.shape[-2]
    if lq > lk:
        raise ValueError("Lq > Lk")
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    work = torch.float64 if q.dtype == torch.float64 else torch.float32
    rows = []
    for i in range(lq):
        end = lk - lq + i + 1
        s = torch.matmul(q[..., i : i + 1, :].to(work), k[..., :end, :].to(work).transpose(-1, -2)) * scale
        rows.append(torch.matmul(torch.softmax(s, dim=-1), v[..., :end, :].to(work)))
    return torch.cat(rows, dim=-2).to(q.dtype)
