"""Known mistake: concatenate every shard and run ordinary attention (the full score matrix exists)."""

from __future__ import annotations

import math

import torch


def ring_attention(q, k_shards, v_shards, scale=None):
    if len(k_shards) == 0 or len(k_shards) != len(v_shards):
        raise ValueError("shard lists differ")
    if any(k.shape[-2] != v.shape[-2] for k, v in zip(k_shards, v_shards)):
        raise ValueError("shard lengths differ")
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    k = torch.cat(list(k_shards), dim=-2)
    v = torch.cat(list(v_shards), dim=-2)
    if k.shape[-2] == 0:
        raise ValueError("no keys")
    s = (q.float() if q.element_size() < 4 else q) @ k.to(torch.promote_types(q.dtype, torch.float32)).transpose(-2, -1)
    p = torch.softmax(s * scale, dim=-1)
    return (p @ v.to(p.dtype)).to(q.dtype)
