# blind: wrong
# bug: keeps m, l and the accumulator in float16/bfloat16 (the input dtype)
# family: precision
import math

import torch


def flash_attention(q, k, v, causal=False, block_size=64, scale=None):
    """q [B, H, Lq, D], k [B, H, Lk, D], v [B, H, Lk, Dv] -> (out [B, H, Lq, Dv], lse [B, H, Lq])."""
    lq, lk = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    work = q.dtype
    qw = q.to(work)
    m = torch.full(q.shape[:-1], float("-inf"), dtype=work, device=q.device)
    l = torch.zeros(q.shape[:-1], dtype=work, device=q.device)
    acc = torch.zeros(*q.shape[:-1], v.shape[-1], dtype=work, device=q.device)
    q_pos = torch.arange(lq, device=q.device) + (lk - lq)
    for start in range(0, lk, block_size):
        end = min(start + block_size, lk)
        s = (qw @ k[..., start:end, :].to(work).transpose(-2, -1)) * scale
        if causal:
            k_pos = torch.arange(start, end, device=q.device)
            s = s.masked_fill(k_pos[None, :] > q_pos[:, None], float("-inf"))
        m_new = torch.maximum(m, s.amax(dim=-1))
        m_safe = torch.where(torch.isinf(m_new), torch.zeros_like(m_new), m_new)
        alpha = torch.exp(m - m_safe)
        p = torch.exp(s - m_safe[..., None])
        l = l * alpha + p.sum(dim=-1)
        acc = acc * alpha[..., None] + p @ v[..., start:end, :].to(work)
        m = m_new
    out = acc / torch.where(l == 0, torch.ones_like(l), l)[..., None]
    m_fin = torch.where(torch.isinf(m), torch.zeros_like(m), m)
    lse = m_fin + torch.log(l)
    return out.to(q.dtype), lse.float() if work != torch.float64 else lse
