"""Alternative: compute every shard's (output, lse) first, then merge all at once with a softmax over shards."""

from __future__ import annotations

import math

import torch


def ring_attention(q, k_shards, v_shards, scale=None):
    if len(k_shards) != len(v_shards) or len(k_shards) < 1:
        raise ValueError("shard lists differ in length")
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    work = torch.promote_types(q.dtype, torch.float32)  # float32 for half inputs, float64 stays float64
    outs, lses = [], []
    for k, v in zip(k_shards, v_shards):
        if k.shape[-2] != v.shape[-2]:
            raise ValueError("a key shard and its value shard differ in length")
        if k.shape[-2] == 0:
            continue
        s = torch.einsum("bhqd,bhkd->bhqk", q.to(work), k.to(work)) * scale
        lse = torch.logsumexp(s, dim=-1)  # [B, H, Lq]
        outs.append(torch.einsum("bhqk,bhkd->bhqd", torch.exp(s - lse[..., None]), v.to(work)))
        lses.append(lse)
    if not outs:
        raise ValueError("no keys")
    weights = torch.softmax(torch.stack(lses), dim=0)  # [shards, B, H, Lq]: each shard's share of the mass
    out = (weights[..., None] * torch.stack(outs)).sum(0)  # [B, H, Lq, Dv]
    return out.to(q.dtype)
