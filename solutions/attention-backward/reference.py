"""Reference: the gradients of out = softmax(q k^T * scale) v, by hand (no autograd)."""

from __future__ import annotations

import math

import torch


def attention_backward(q, k, v, dout, scale=None):
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    dtype = q.dtype
    work = torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype  # statistics in >= float32
    q_, k_, v_, do = (t.to(work) for t in (q, k, v, dout))
    # recompute the forward probabilities (the backward needs P, not just the output)
    s = (q_ @ k_.transpose(-2, -1)) * scale  # [B, H, Lq, Lk]
    p = torch.softmax(s, dim=-1)
    dv = p.transpose(-2, -1) @ do  # [B, H, Lk, Dv]: out = P v, so dv = P^T dout
    dp = do @ v_.transpose(-2, -1)  # [B, H, Lq, Lk]
    # softmax Jacobian, row by row: dS_ij = P_ij * (dP_ij - sum_l P_il dP_il)
    delta = (p * dp).sum(dim=-1, keepdim=True)  # [B, H, Lq, 1]
    ds = p * (dp - delta)  # [B, H, Lq, Lk]
    dq = (ds @ k_) * scale  # [B, H, Lq, D]: S = scale * q k^T
    dk = (ds.transpose(-2, -1) @ q_) * scale  # [B, H, Lk, D]
    return dq.to(dtype), dk.to(dtype), dv.to(dtype)
