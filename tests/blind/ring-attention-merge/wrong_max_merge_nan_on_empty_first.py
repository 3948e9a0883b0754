# blind: wrong
# bug: merges with m = max(lse, lse_i) and no guard: an empty first shard makes exp(-inf - -inf) = NaN
# family: nan-rows
import math

import torch


def _validate(k_shards, v_shards):
    if len(k_shards) == 0 or len(k_shards) != len(v_shards):
        raise ValueError("k_shards and v_shards must be non-empty lists of the same length")
    for k, v in zip(k_shards, v_shards):
        if k.shape[-2] != v.shape[-2]:
            raise ValueError("a key shard and its value shard differ in length")
    if sum(k.shape[-2] for k in k_shards) == 0:
        raise ValueError("no keys at all")


def ring_attention(q, k_shards, v_shards, scale=None):
    _validate(k_shards, v_shards)
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    acc = torch.promote_types(q.dtype, torch.float32)
    qf = q.to(acc)
    Dv = v_shards[0].shape[-1]
    out = torch.zeros(*q.shape[:-1], Dv, dtype=acc, device=q.device)
    lse = torch.full(q.shape[:-1] + (1,), float("-inf"), dtype=acc, device=q.device)
    for k, v in zip(k_shards, v_shards):
        s = (qf @ k.to(acc).transpose(-2, -1)) * scale
        lse_i = torch.logsumexp(s, dim=-1, keepdim=True)
        out_i = torch.exp(s - lse_i) @ v.to(acc)
        m = torch.maximum(lse, lse_i)
        w_old, w_new = torch.exp(lse - m), torch.exp(lse_i - m)
        out = (out * w_old + out_i * w_new) / (w_old + w_new)
        lse = m + torch.log(w_old + w_new)
    return out.to(q.dtype)
