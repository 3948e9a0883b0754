# blind: correct
import math

import torch
import torch.nn.functional as F


def _shard_attention(q, k, v, scale):
    s = torch.matmul(q, k.transpose(-1, -2)) * scale
    lse = torch.logsumexp(s, dim=-1, keepdim=True)
    return torch.matmul(torch.softmax(s, dim=-1), v), lse


def ring_attention(q, k_shards, v_shards, scale=None):
    """Merge in the ring-flash-attention form: out -= sigmoid(lse_i - lse) * (out - out_i)."""
    if len(k_shards) != len(v_shards) or len(k_shards) < 1:
        raise ValueError("k_shards and v_shards must have the same length N >= 1")
    for i, (k, v) in enumerate(zip(k_shards, v_shards)):
        if k.shape[-2] != v.shape[-2]:
            raise ValueError(f"shard {i}: {k.shape[-2]} keys but {v.shape[-2]} values")
    live = [(k, v) for k, v in zip(k_shards, v_shards) if k.shape[-2] > 0]
    if not live:
        raise ValueError("there are no keys")
    if scale is None:
        scale = 1 / math.sqrt(q.shape[-1])
    f = torch.promote_types(q.dtype, torch.float32)
    out, lse = None, None
    for k, v in live:
        o_i, lse_i = _shard_attention(q.to(f), k.to(f), v.to(f), scale)
        if out is None:
            out, lse = o_i, lse_i
            continue
        out = out - torch.sigmoid(lse_i - lse) * (out - o_i)
        lse = lse - F.logsigmoid(lse - lse_i)
    return out.to(q.dtype)
