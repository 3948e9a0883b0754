"""Causal linear attention as an RNN: a fixed-size state (S, z) updated one position at a time, in float64."""

from __future__ import annotations

import torch


def causal_linear_attention(q, k, v, eps=1e-6):
    B, H, L, D = q.shape
    Dv = v.shape[-1]
    phi_q = torch.nn.functional.elu(q.double()) + 1.0
    phi_k = torch.nn.functional.elu(k.double()) + 1.0
    vd = v.double()
    S = torch.zeros(B, H, D, Dv, dtype=torch.float64, device=q.device)  # sum of phi(k_j) v_j^T so far
    z = torch.zeros(B, H, D, dtype=torch.float64, device=q.device)  # sum of phi(k_j) so far
    outs = []
    for t in range(L):
        S = S + phi_k[:, :, t, :, None] * vd[:, :, t, None, :]  # add position t before reading it
        z = z + phi_k[:, :, t]
        num = (phi_q[:, :, t, :, None] * S).sum(-2)  # [B, H, Dv]
        den = (phi_q[:, :, t] * z).sum(-1, keepdim=True) + eps
        outs.append(num / den)
    return torch.stack(outs, dim=2).to(q.dtype)  # [B, H, L, Dv]
