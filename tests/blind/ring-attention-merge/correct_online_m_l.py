# blind: correct
import math

import torch


def ring_attention(q, k_shards, v_shards, scale=None):
    """Flash-style running max m, running sum l and unnormalised accumulator, one shard at a time."""
    if not k_shards or len(k_shards) != len(v_shards):
        raise ValueError("need two lists of equal, non-zero length")
    if any(k.size(-2) != v.size(-2) for k, v in zip(k_shards, v_shards)):
        raise ValueError("key/value shard length mismatch")
    if all(k.size(-2) == 0 for k in k_shards):
        raise ValueError("all shards are empty")
    scale = q.size(-1) ** -0.5 if scale is None else scale
    work = torch.float64 if q.dtype == torch.float64 else torch.float32
    qw = q.to(work) * scale
    m = torch.full(q.shape[:-1], -math.inf, dtype=work, device=q.device)
    l = torch.zeros_like(m)  # noqa: E741
    acc = torch.zeros(*q.shape[:-1], v_shards[0].size(-1), dtype=work, device=q.device)
    for k, v in zip(k_shards, v_shards):
        if k.size(-2) == 0:
            continue
        s = torch.einsum("...qd,...kd->...qk", qw, k.to(work))
        m_new = torch.maximum(m, s.amax(-1))
        alpha = torch.exp(m - m_new)  # 0 on the first non-empty shard
        p = torch.exp(s - m_new[..., None])
        l = l * alpha + p.sum(-1)  # noqa: E741
        acc = acc * alpha[..., None] + torch.einsum("...qk,...kd->...qd", p, v.to(work))
        m = m_new
    return (acc / l[..., None]).to(q.dtype)
