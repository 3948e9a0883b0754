"""Reference: causal linear attention with the elu + 1 feature map (Katharopoulos et al., 2020)."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def causal_linear_attention(q, k, v, eps=1e-6):
    work = torch.promote_types(q.dtype, torch.float32)  # prefix sums in at least float32
    qf = F.elu(q.to(work)) + 1  # phi(q) > 0, [B, H, L, D]
    kf = F.elu(k.to(work)) + 1  # phi(k) > 0, [B, H, L, D]
    vw = v.to(work)  # values are not passed through phi
    kv = torch.einsum("bhld,bhle->bhlde", kf, vw)  # phi(k_j) v_j^T, [B, H, L, D, Dv]
    # inclusive prefix sums: position i sees j <= i, itself included; O(L D Dv) memory, never L x L
    s = kv.cumsum(dim=2)  # S_i, [B, H, L, D, Dv]
    z = kf.cumsum(dim=2)  # z_i, [B, H, L, D]
    num = torch.einsum("bhld,bhlde->bhle", qf, s)  # phi(q_i)^T S_i, [B, H, L, Dv]
    den = (qf * z).sum(dim=-1, keepdim=True) + eps  # phi(q_i)^T z_i + eps, [B, H, L, 1]
    return (num / den).to(q.dtype)
