"""Alternative: FlashAttention-style running (max, sum, unnormalised accumulator) across the shards."""

from __future__ import annotations

import torch


def ring_attention(q, k_shards, v_shards, scale=None):
    if not k_shards or len(k_shards) != len(v_shards) or any(
            k.shape[-2] != v.shape[-2] for k, v in zip(k_shards, v_shards)):
        raise ValueError("key and value shards do not match")
    if all(k.shape[-2] == 0 for k in k_shards):
        raise ValueError("no keys")
    scale = q.shape[-1] ** -0.5 if scale is None else scale
    q64 = q.double()
    run_max = torch.full(q.shape[:-1] + (1,), float("-inf"), dtype=torch.float64, device=q.device)
    run_sum = torch.zeros_like(run_max)
    acc = torch.zeros(q.shape[:-1] + (v_shards[0].shape[-1],), dtype=torch.float64, device=q.device)
    for k, v in zip(k_shards, v_shards):
        if k.shape[-2] == 0:
            continue
        s = q64 @ k.double().transpose(-2, -1) * scale
        new_max = torch.maximum(run_max, s.amax(-1, keepdim=True))
        rescale = torch.exp(run_max - new_max)  # exp(-inf) = 0 on the first shard
        p = torch.exp(s - new_max)
        run_sum = run_sum * rescale + p.sum(-1, keepdim=True)
        acc = acc * rescale + p @ v.double()
        run_max = new_max
    return (acc / run_sum).to(q.dtype)
