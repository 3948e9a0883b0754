"""Each key block is attended on its own and returns (out_b, lse_b); partial results are merged by log-sum-exp.

This is the merge used by flash-decoding and ring attention, here in float64.
"""

from __future__ import annotations

import torch


def _merge(out_a, lse_a, out_b, lse_b):
    new = torch.maximum(lse_a, lse_b)
    new_safe = torch.where(torch.isfinite(new), new, torch.zeros_like(new))
    wa, wb = torch.exp(lse_a - new_safe), torch.exp(lse_b - new_safe)
    tot = wa + wb
    some = tot > 0
    tot_safe = torch.where(some, tot, torch.ones_like(tot))
    out = (out_a * wa[..., None] + out_b * wb[..., None]) / tot_safe[..., None]
    lse = torch.where(some, new_safe + torch.log(tot_safe), torch.full_like(tot, float("-inf")))
    return out, lse


def flash_attention(q, k, v, causal=False, block_size=64, scale=None):
    B, H, Lq, D = q.shape
    Lk = k.shape[2]
    sc = D ** -0.5 if scale is None else scale
    q64 = q.double()
    out = torch.zeros(B, H, Lq, v.shape[-1], dtype=torch.float64, device=q.device)
    lse = torch.full((B, H, Lq), float("-inf"), dtype=torch.float64, device=q.device)
    qi = torch.arange(Lq, device=q.device).view(Lq, 1) + Lk - Lq
    for j0 in range(0, Lk, block_size):
        j1 = min(j0 + block_size, Lk)
        s = torch.einsum("bhqd,bhkd->bhqk", q64, k[:, :, j0:j1].double()) * sc
        if causal:
            kj = torch.arange(j0, j1, device=q.device).view(1, -1)
            s = torch.where(kj <= qi, s, torch.full_like(s, float("-inf")))
        mb = s.amax(-1)
        mb = torch.where(torch.isfinite(mb), mb, torch.zeros_like(mb))
        e = torch.exp(s - mb[..., None])
        lb = e.sum(-1)
        has = lb > 0
        lb_safe = torch.where(has, lb, torch.ones_like(lb))
        out_b = torch.einsum("bhqk,bhkv->bhqv", e, v[:, :, j0:j1].double()) / lb_safe[..., None]
        lse_b = torch.where(has, mb + torch.log(lb_safe), torch.full_like(lb, float("-inf")))
        out, lse = _merge(out, lse, out_b, lse_b)
    stat = torch.float64 if q.dtype == torch.float64 else torch.float32
    return out.to(q.dtype), lse.to(stat)
