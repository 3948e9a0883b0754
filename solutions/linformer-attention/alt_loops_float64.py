"""Alternative: loop over batch and heads, float64 inside, projections as sums of weighted rows."""

import math

import torch


def linformer_attention(q, k, v, e_proj, f_proj):
    B, H, L, D = k.shape
    if e_proj.shape != f_proj.shape or e_proj.shape[1] != L:
        raise ValueError("e_proj, f_proj: [k, L]")
    E, F = e_proj.double(), f_proj.double()
    out = torch.empty(*q.shape[:-1], v.shape[-1], dtype=torch.float64, device=q.device)
    for b in range(B):
        for h in range(H):
            kk = sum(E[:, j : j + 1] * k[b, h, j].double() for j in range(L))  # [k, D]
            vv = sum(F[:, j : j + 1] * v[b, h, j].double() for j in range(L))  # [k, Dv]
            p = torch.softmax(q[b, h].double() @ kk.T / math.sqrt(D), dim=-1)
            out[b, h] = p @ vv
    return out.to(v.dtype)
