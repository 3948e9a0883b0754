"""GQA one query head at a time, in float64, with the kv head index computed explicitly."""

from __future__ import annotations

import torch


def grouped_query_attention(q, k, v, causal=False, scale=None):
    hq, hkv = q.shape[1], k.shape[1]
    if hkv == 0 or hq % hkv != 0 or v.shape[1] != hkv:
        raise ValueError("Hq must be divisible by Hkv")
    lq, lk, d = q.shape[2], k.shape[2], q.shape[3]
    scale = d ** -0.5 if scale is None else scale
    q64, k64, v64 = q.double(), k.double(), v.double()
    heads = []
    for h in range(hq):
        j = h // (hq // hkv)  # the key/value head this query head shares
        s = q64[:, h] @ k64[:, j].transpose(-1, -2) * scale  # [B, Lq, Lk]
        if causal:
            i = torch.arange(lq, device=q.device)[:, None]
            c = torch.arange(lk, device=q.device)[None, :]
            s = torch.where(c <= i + lk - lq, s, torch.full_like(s, float("-inf")))
        m = s.max(dim=-1, keepdim=True).values
        m = torch.nan_to_num(m, neginf=0.0)
        e = (s - m).exp()
        z = e.sum(-1, keepdim=True)
        heads.append((e / z.clamp_min(1e-300)) @ v64[:, j])  # [B, Lq, Dv]
    return torch.stack(heads, dim=1).to(q.dtype)  # [B, Hq, Lq, Dv]
