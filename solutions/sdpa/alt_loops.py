"""Alternative: an explicit loop over query rows, each row's softmax written out by hand in float32+."""

import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
    lead = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    lq, lk, dv = q.shape[-2], k.shape[-2], v.shape[-1]
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    work = torch.promote_types(q.dtype, torch.float32)  # row statistics in at least float32
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
    for i in range(lq):  # one query position at a time, every batch/head item at once
        logits = (kf @ qf[:, i, :, None]).squeeze(-1) * scale + bias[:, i]  # [N, Lk]
        top = logits.max(dim=-1, keepdim=True).values
        top = torch.where(torch.isinf(top), torch.zeros_like(top), top)  # a row with no allowed key
        p = torch.exp(logits - top)
        total = p.sum(dim=-1, keepdim=True)
        p = p / torch.where(total > 0, total, torch.ones_like(total))
        rows.append((p.unsqueeze(1) @ vf).squeeze(1))  # [N, Dv]
    return torch.stack(rows, dim=1).reshape(*lead, lq, dv).to(q.dtype)
