# blind: correct
# family: other
import math

import torch


def grouped_query_attention(q, k, v, causal=False, scale=None):
    """View the query heads as [B, Hkv, G, Lq, D] and broadcast against the kv heads (no repeat), float64 inside."""
    b, hq, lq, d = q.shape
    hkv, lk = k.shape[1], k.shape[2]
    if hkv == 0 or hq % hkv:
        raise ValueError("Hq must be a multiple of Hkv")
    g = hq // hkv
    s = 1.0 / math.sqrt(d) if scale is None else scale
    qg = q.double().reshape(b, hkv, g, lq, d)
    scores = torch.einsum("bhgqd,bhkd->bhgqk", qg, k.double()) * s
    if causal:
        qpos = torch.arange(lq, device=q.device)[:, None] + (lk - lq)
        ok = torch.arange(lk, device=q.device)[None, :] <= qpos
        scores = scores.masked_fill(~ok, float("-inf"))
    m = scores.amax(dim=-1, keepdim=True).clamp_min(torch.finfo(torch.float64).min)
    p = torch.exp(scores - m)
    den = p.sum(dim=-1, keepdim=True)
    p = torch.where(den > 0, p / den, torch.zeros_like(p))
    out = torch.einsum("bhgqk,bhkv->bhgqv", p, v.double())
    return out.reshape(b, hq, lq, v.shape[-1]).to(q.dtype)
