"""Reference: FlashAttention-style forward (Dao et al., 2022): keys in blocks, online softmax, no Lq x Lk tensor."""

from __future__ import annotations

import math

import torch


def flash_attention(q, k, v, causal=False, block_size=64, scale=None):
    b, h, lq, d = q.shape
    lk, dv = k.shape[-2], v.shape[-1]
    if scale is None:
        scale = 1.0 / math.sqrt(d)
    work = torch.promote_types(q.dtype, torch.float32)  # running statistics in at least float32
    qw = q.to(work)
    m = torch.full((b, h, lq), float("-inf"), dtype=work, device=q.device)  # running max of the scores
    l = torch.zeros((b, h, lq), dtype=work, device=q.device)  # running sum of exp(score - m)
    acc = torch.zeros((b, h, lq, dv), dtype=work, device=q.device)  # running sum of exp(score - m) * v
    q_pos = torch.arange(lq, device=q.device) + (lk - lq)  # bottom-right: query i sits at lk - lq + i
    for start in range(0, lk, block_size):
        kb = k[:, :, start:start + block_size].to(work)  # [B, H, Bk, D]; the last block may be shorter
        vb = v[:, :, start:start + block_size].to(work)  # [B, H, Bk, Dv]
        s = (qw @ kb.transpose(-2, -1)) * scale  # [B, H, Lq, Bk]: one block of scores, never all Lk
        if causal:
            k_pos = torch.arange(start, start + kb.shape[-2], device=q.device)
            s = s.masked_fill(k_pos[None, :] > q_pos[:, None], float("-inf"))
        m_new = torch.maximum(m, s.amax(dim=-1))
        # a row that has seen no visible key yet still has max -inf: use 0 so exp gives 0, not exp(nan)
        m_safe = torch.where(torch.isfinite(m_new), m_new, torch.zeros_like(m_new))
        alpha = torch.exp(m - m_safe)  # rescales what was accumulated under the old max
        p = torch.exp(s - m_safe[..., None])  # [B, H, Lq, Bk]
        l = l * alpha + p.sum(dim=-1)
        acc = acc * alpha[..., None] + p @ vb  # [B, H, Lq, Dv]
        m = m_new
    seen = l > 0  # False only for queries that see no key (causal with Lq > Lk)
    l_safe = torch.where(seen, l, torch.ones_like(l))
    out = acc / l_safe[..., None]  # such rows have acc = 0, so they output zeros
    m_fin = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
    lse = torch.where(seen, m_fin + torch.log(l_safe), torch.full_like(l, float("-inf")))  # [B, H, Lq]
    return out.to(q.dtype), lse
