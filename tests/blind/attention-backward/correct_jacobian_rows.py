# blind: correct
# family: other
import math

import torch


def attention_backward(q, k, v, dout, scale=None):
    """Row by row with the explicit softmax Jacobian diag(p) - p p^T."""
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    work = torch.float64 if q.dtype == torch.float64 else torch.float32
    qw, kw, vw, dw = q.to(work), k.to(work), v.to(work), dout.to(work)
    dq = torch.zeros_like(qw)
    dk = torch.zeros_like(kw)
    dv = torch.zeros_like(vw)
    for i in range(q.shape[-2]):
        qi = qw[..., i, :]  # [B, H, D]
        p = torch.softmax(torch.einsum("bhd,bhjd->bhj", qi, kw) * scale, dim=-1)  # [B, H, Lk]
        jac = torch.diag_embed(p) - p[..., :, None] * p[..., None, :]  # [B, H, Lk, Lk]
        dp = torch.einsum("bhe,bhje->bhj", dw[..., i, :], vw)
        ds = torch.einsum("bhjk,bhk->bhj", jac, dp)
        dv += p[..., :, None] * dw[..., i, None, :]
        dq[..., i, :] = torch.einsum("bhj,bhjd->bhd", ds, kw) * scale
        dk += ds[..., :, None] * qi[..., None, :] * scale
    return dq.to(q.dtype), dk.to(q.dtype), dv.to(q.dtype)
