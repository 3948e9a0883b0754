"""Known mistake: keys padded to a multiple of the block size, and the padding is never masked."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def flash_attention(q, k, v, causal=False, block_size=64, scale=None):
    b, h, lq, d = q.shape
    lk = k.shape[-2]
    scale = 1.0 / math.sqrt(d) if scale is None else scale
    work = torch.promote_types(q.dtype, torch.float32)
    pad = (-lk) % block_size
    k = F.pad(k, (0, 0, 0, pad))  # zero keys at the end: score 0, and nothing masks them out
    v = F.pad(v, (0, 0, 0, pad))
    m = torch.full((b, h, lq), float("-inf"), dtype=work, device=q.device)
    l = torch.zeros((b, h, lq), dtype=work, device=q.device)
    acc = torch.zeros((b, h, lq, v.shape[-1]), dtype=work, device=q.device)
    q_pos = torch.arange(lq, device=q.device) + (lk - lq)
    for start in range(0, lk + pad, block_size):
        kb, vb = k[:, :, start:start + block_size].to(work), v[:, :, start:start + block_size].to(work)
        s = (q.to(work) @ kb.transpose(-2, -1)) * scale
        if causal:
            k_pos = torch.arange(start, start + block_size, device=q.device)
            s = s.masked_fill(k_pos[None, :] > q_pos[:, None], float("-inf"))
        m_new = torch.maximum(m, s.amax(dim=-1))
        m_safe = torch.where(torch.isfinite(m_new), m_new, torch.zeros_like(m_new))
        alpha = torch.exp(m - m_safe)
        p = torch.exp(s - m_safe[..., None])
        l = l * alpha + p.sum(dim=-1)
        acc = acc * alpha[..., None] + p @ vb
        m = m_new
    seen = l > 0
    l_safe = torch.where(seen, l, torch.ones_like(l))
    m_fin = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
    lse = torch.where(seen, m_fin + torch.log(l_safe), torch.full_like(l, float("-inf")))
    return (acc / l_safe[..., None]).to(q.dtype), lse
