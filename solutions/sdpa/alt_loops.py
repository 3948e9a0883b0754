"""Alternative: an explicit loop over query rows, a streaming (online) softmax over blocks of 4 keys."""

import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
    lead = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    lq, lk, dv = q.shape[-2], k.shape[-2], v.shape[-1]
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    work = torch.promote_types(q.dtype, torch.float32)  # running statistics in at least float32
    if mask is None:
        bias = torch.zeros(lq, lk, dtype=work, device=q.device)
    elif mask.dtype == torch.bool:
        bias = torch.zeros(mask.shape, dtype=work, device=q.device).masked_fill(~mask, -math.inf)
    else:
        bias = mask.to(work)
    bias = bias.expand(*lead, lq, lk).reshape(-1, lq, lk)
    qf = q.expand(*lead, lq, q.shape[-1]).reshape(-1, lq, q.shape[-1]).to(work)
    kf = k.expand(*lead, lk, k.shape[-1]).reshape(-1, lk, k.shape[-1]).to(work)
    vf = v.expand(*lead, lk, dv).reshape(-1, lk, dv).to(work)
    rows = []
    for b in range(qf.shape[0]):
        for i in range(lq):
            m = torch.tensor(-math.inf, dtype=work, device=q.device)
            s = torch.zeros((), dtype=work, device=q.device)
            acc = torch.zeros(dv, dtype=work, device=q.device)
            for start in range(0, lk, 4):
                logits = kf[b, start : start + 4] @ qf[b, i] * scale + bias[b, i, start : start + 4]
                new_m = torch.maximum(m, logits.max())
                if torch.isinf(new_m):  # nothing allowed so far
                    continue
                p = torch.exp(logits - new_m)
                correction = torch.exp(m - new_m)
                s = s * correction + p.sum()
                acc = acc * correction + p @ vf[b, start : start + 4]
                m = new_m
            rows.append(acc / s if s > 0 else acc)
    return torch.stack(rows).reshape(*lead, lq, dv).to(q.dtype)
