# blind: wrong
# bug: no keys at all returns zeros instead of raising ValueError
# family: raises
import math

import torch


def _validate(k_shards, v_shards):
    if len(k_shards) == 0 or len(k_shards) != len(v_shards):
        raise ValueError("k_shards and v_shards must be non-empty lists of the same length")
    for k, v in zip(k_shards, v_shards):
        if k.shape[-2] != v.shape[-2]:
            raise ValueError("a key shard and its value shard differ in length")


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
        if k.shape[-2] == 0:
            continue
        s = (qf @ k.to(acc).transpose(-2, -1)) * scale
        lse_i = torch.logsumexp(s, dim=-1, keepdim=True)
        out_i = torch.exp(s - lse_i) @ v.to(acc)
        new_lse = torch.logaddexp(lse, lse_i)
        out = out * torch.exp(lse - new_lse) + out_i * torch.exp(lse_i - new_lse)
        lse = new_lse
    return out.to(q.dtype)
