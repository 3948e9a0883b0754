"""Chunked causal linear attention: quadratic inside a chunk of C positions, a carried state between chunks.

Memory is O(L * C + (L / C) * D * Dv) per head, the form used by fast linear-attention kernels.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

CHUNK = 4


def causal_linear_attention(q, k, v, eps=1e-6):
    acc = torch.float64 if q.dtype == torch.float64 else torch.float32
    fq, fk, vv = F.elu(q.to(acc)) + 1, F.elu(k.to(acc)) + 1, v.to(acc)
    L = q.shape[-2]
    state = fq.new_zeros(*q.shape[:-2], q.shape[-1], v.shape[-1])  # [B, H, D, Dv] from earlier chunks
    norm = fq.new_zeros(*q.shape[:-2], q.shape[-1])  # [B, H, D]
    pieces = []
    for c0 in range(0, L, CHUNK):
        qc, kc, vc = fq[..., c0:c0 + CHUNK, :], fk[..., c0:c0 + CHUNK, :], vv[..., c0:c0 + CHUNK, :]
        n = qc.shape[-2]
        tri = torch.ones(n, n, dtype=torch.bool, device=q.device).tril()
        a = (qc @ kc.transpose(-1, -2)).masked_fill(~tri, 0.0)  # [B, H, n, n], within the chunk only
        num = a @ vc + qc @ state
        den = a.sum(-1, keepdim=True) + (qc * norm.unsqueeze(-2)).sum(-1, keepdim=True) + eps
        pieces.append(num / den)
        state = state + kc.transpose(-1, -2) @ vc
        norm = norm + kc.sum(-2)
    return torch.cat(pieces, dim=-2).to(q.dtype)
