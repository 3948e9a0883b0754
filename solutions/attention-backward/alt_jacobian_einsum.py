"""Alternative: the full softmax Jacobian diag(p) - p p^T per query row, contracted with einsum."""

from __future__ import annotations

import torch


def attention_backward(q, k, v, dout, scale=None):
    if scale is None:
        scale = q.shape[-1] ** -0.5
    qd, kd, vd, gd = (t.double() for t in (q, k, v, dout))
    p = torch.einsum("bhqd,bhkd->bhqk", qd, kd).mul(scale).softmax(dim=-1)
    dv = torch.einsum("bhqk,bhqe->bhke", p, gd)
    dp = torch.einsum("bhqe,bhke->bhqk", gd, vd)
    eye = torch.eye(p.shape[-1], dtype=p.dtype, device=p.device)
    jac = p.unsqueeze(-1) * eye - p.unsqueeze(-1) * p.unsqueeze(-2)  # [B, H, Lq, Lk, Lk], symmetric
    ds = torch.einsum("bhqkl,bhql->bhqk", jac, dp)
    dq = torch.einsum("bhqk,bhkd->bhqd", ds, kd) * scale
    dk = torch.einsum("bhqk,bhqd->bhkd", ds, qd) * scale
    return dq.to(q.dtype), dk.to(q.dtype), dv.to(q.dtype)
