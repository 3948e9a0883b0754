"""GQA without materialising repeated K/V: split the query heads into [Hkv, group] and broadcast."""

from __future__ import annotations

import math

import torch


def grouped_query_attention(q, k, v, causal=False, scale=None):
    b, hq, lq, d = q.shape
    hkv, lk = k.shape[1], k.shape[2]
    if hkv < 1 or hq % hkv or v.shape[1] != hkv:
        raise ValueError("the number of query heads must be a multiple of the number of key/value heads")
    g = hq // hkv
    scale = 1.0 / math.sqrt(d) if scale is None else scale
    qg = q.reshape(b, hkv, g, lq, d)  # contiguous groups: query head h = kv head h // g, slot h % g
    s = torch.einsum("bngqd,bnkd->bngqk", qg, k) * scale  # [B, Hkv, g, Lq, Lk]
    if causal:
        pos_q = torch.arange(lq, device=q.device) + (lk - lq)
        blocked = torch.arange(lk, device=q.device)[None, :] > pos_q[:, None]  # [Lq, Lk]
        s = s.masked_fill(blocked, float("-inf"))
    seen = torch.isfinite(s).any(-1, keepdim=True)
    p = torch.softmax(s.masked_fill(~seen, 0.0), dim=-1) * seen  # rows with no key -> all-zero weights
    out = torch.einsum("bngqk,bnkv->bngqv", p, v)  # [B, Hkv, g, Lq, Dv]
    return out.reshape(b, hq, lq, v.shape[-1])
