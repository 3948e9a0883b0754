"""Alternative: FlashAttention-2 style. Keep only the row log-sum-exp and delta = rowsum(dout * out),
then recompute P block by block over the keys (never the whole score matrix at once)."""

from __future__ import annotations

import math

import torch


def attention_backward(q, k, v, dout, scale=None):
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    q32, k32, v32, do32 = (t.to(torch.float64) for t in (q, k, v, dout))
    lk, block = k.shape[-2], 2
    # forward statistics, computed blockwise with a running max and sum (online softmax)
    m = torch.full(q.shape[:-1] + (1,), float("-inf"), dtype=torch.float64, device=q.device)
    ssum = torch.zeros_like(m)
    acc = torch.zeros(q.shape[:-1] + (v.shape[-1],), dtype=torch.float64, device=q.device)
    for j in range(0, lk, block):
        s = q32 @ k32[..., j:j + block, :].transpose(-2, -1) * scale
        m_new = torch.maximum(m, s.amax(-1, keepdim=True))
        corr = torch.exp(m - m_new)
        e = torch.exp(s - m_new)
        ssum = ssum * corr + e.sum(-1, keepdim=True)
        acc = acc * corr + e @ v32[..., j:j + block, :]
        m = m_new
    lse = m + torch.log(ssum)  # [B, H, Lq, 1]
    out = acc / ssum
    delta = (do32 * out).sum(-1, keepdim=True)  # equals rowsum(P * dP)
    dq = torch.zeros_like(q32)
    dks, dvs = [], []
    for j in range(0, lk, block):
        kb, vb = k32[..., j:j + block, :], v32[..., j:j + block, :]
        p = torch.exp(q32 @ kb.transpose(-2, -1) * scale - lse)  # [B, H, Lq, block]
        dvs.append(p.transpose(-2, -1) @ do32)
        ds = p * (do32 @ vb.transpose(-2, -1) - delta)
        dq = dq + ds @ kb * scale
        dks.append(ds.transpose(-2, -1) @ q32 * scale)
    return dq.to(q.dtype), torch.cat(dks, dim=-2).to(q.dtype), torch.cat(dvs, dim=-2).to(q.dtype)
