"""Reference: ring attention simulated in one process, merging per-shard (output, log-sum-exp) pairs."""

from __future__ import annotations

import math

import torch


def _attend_shard(q, k, v, scale):
    """Attention of all queries over one shard of keys: its normalised output and row log-sum-exp."""
    s = (q @ k.transpose(-2, -1)) * scale  # [B, H, Lq, Lk_i]: one shard's scores only
    m = s.amax(dim=-1, keepdim=True)
    e = torch.exp(s - m)
    total = e.sum(dim=-1, keepdim=True)
    return (e @ v) / total, m + torch.log(total)  # [B, H, Lq, Dv], [B, H, Lq, 1]


def ring_attention(q, k_shards, v_shards, scale=None):
    if len(k_shards) == 0 or len(k_shards) != len(v_shards):
        raise ValueError(f"need the same number (>= 1) of key and value shards, got {len(k_shards)} and {len(v_shards)}")
    for i, (k, v) in enumerate(zip(k_shards, v_shards)):
        if k.shape[-2] != v.shape[-2]:
            raise ValueError(f"shard {i}: {k.shape[-2]} keys but {v.shape[-2]} values")
    if sum(k.shape[-2] for k in k_shards) == 0:
        raise ValueError("no keys in any shard")
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    work = torch.float32 if q.dtype in (torch.float16, torch.bfloat16) else q.dtype  # lse in >= float32
    qw = q.to(work)
    out = lse = None
    for k, v in zip(k_shards, v_shards):  # one ring step: the next device's shard arrives
        if k.shape[-2] == 0:
            continue  # a device with no keys contributes nothing (and its lse would be -inf)
        o_i, lse_i = _attend_shard(qw, k.to(work), v.to(work), scale)
        if out is None:
            out, lse = o_i, lse_i
            continue
        new = torch.logaddexp(lse, lse_i)  # log of the combined softmax denominator
        # each partial output is normalised by its own denominator; reweight both to the combined one
        out = torch.exp(lse - new) * out + torch.exp(lse_i - new) * o_i
        lse = new
    return out.to(q.dtype)  # [B, H, Lq, Dv]
