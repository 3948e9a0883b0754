"""Alternative: explicit loops over rows with a streaming (online) softmax over keys, at least float32."""

import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
    lead = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    lq, lk, dv = q.shape[-2], k.shape[-2], v.shape[-1]
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    work = torch.promote_types(q.dtype, torch.float32)
    if mask is None:
        bias = torch.zeros(lq, lk, dtype=work)
    elif mask.dtype == torch.bool:
        bias = torch.where(mask, 0.0, -math.inf).to(work)
    else:
        bias = mask.to(work)
    bias = bias.expand(*lead, lq, lk).reshape(-1, lq, lk)
    qf = q.expand(*lead, lq, q.shape[-1]).reshape(-1, lq, q.shape[-1]).to(work)
    kf = k.expand(*lead, lk, k.shape[-1]).reshape(-1, lk, k.shape[-1]).to(work)
    vf = v.expand(*lead, lk, dv).reshape(-1, lk, dv).to(work)
    rows = []
    for b in range(qf.shape[0]):
        for i in range(lq):
            m, s, acc = -math.inf, torch.zeros((), dtype=work), torch.zeros(dv, dtype=work)
            for j in range(lk):
                logit = (qf[b, i] @ kf[b, j]) * scale + bias[b, i, j]
                if logit == -math.inf:
                    continue
                new_m = max(m, float(logit))
                correction = math.exp(m - new_m) if m != -math.inf else 0.0
                p = torch.exp(logit - new_m)
                s = s * correction + p
                acc = acc * correction + p * vf[b, j]
                m = new_m
            rows.append(acc / s if s > 0 else acc)
    return torch.stack(rows).reshape(*lead, lq, dv).to(q.dtype)
