"""Two passes over the key blocks: the first finds each row's log-sum-exp, the second sums exp(s - lse) v.

No rescaling is needed because the second pass already knows the final normaliser.
"""

from __future__ import annotations

import math

import torch


def _scores(q, k, start, stop, scale, causal, offset):
    s = torch.matmul(q, k[..., start:stop, :].transpose(-1, -2)) * scale  # [B, H, Lq, stop - start]
    if causal:
        rows = torch.arange(q.shape[-2], device=q.device).unsqueeze(-1) + offset
        cols = torch.arange(start, stop, device=q.device).unsqueeze(0)
        s = s.masked_fill(cols > rows, -math.inf)
    return s


def flash_attention(q, k, v, causal=False, block_size=64, scale=None):
    lq, lk = q.shape[-2], k.shape[-2]
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    f = torch.float64 if q.dtype == torch.float64 else torch.float32
    qf, kf, vf = q.to(f), k.to(f), v.to(f)
    blocks = [(s, min(s + block_size, lk)) for s in range(0, lk, block_size)]
    # pass 1: row max, then the sum of exponentials under that max
    mx = torch.full(q.shape[:-1], -math.inf, dtype=f, device=q.device)
    for a, c in blocks:
        mx = torch.maximum(mx, _scores(qf, kf, a, c, scale, causal, lk - lq).amax(-1))
    mx0 = torch.where(mx == -math.inf, torch.zeros_like(mx), mx)
    tot = torch.zeros_like(mx)
    for a, c in blocks:
        tot = tot + torch.exp(_scores(qf, kf, a, c, scale, causal, lk - lq) - mx0.unsqueeze(-1)).sum(-1)
    pos = tot > 0
    lse = torch.where(pos, mx0 + torch.log(torch.where(pos, tot, torch.ones_like(tot))), torch.full_like(tot, -math.inf))
    # pass 2: normalised weights block by block
    lse0 = torch.where(pos, lse, torch.zeros_like(lse))
    out = torch.zeros(*q.shape[:-1], v.shape[-1], dtype=f, device=q.device)
    for a, c in blocks:
        w = torch.exp(_scores(qf, kf, a, c, scale, causal, lk - lq) - lse0.unsqueeze(-1))  # [B, H, Lq, Bk]
        out = out + w @ vf[..., a:c, :]
    return out.to(q.dtype), lse
