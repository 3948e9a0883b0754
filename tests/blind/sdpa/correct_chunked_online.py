# blind: correct
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None, scale=None, block=3):
    """Keys processed in blocks with a running max / sum (online softmax), float32 or float64 inside."""
    scale = (1.0 / math.sqrt(q.size(-1))) if scale is None else scale
    f = torch.float64 if q.dtype == torch.float64 else torch.float32
    Lq, Lk = q.size(-2), k.size(-2)
    lead = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2])
    if mask is not None:
        mask = mask.expand(*lead, Lq, Lk)
    m = torch.full((*lead, Lq, 1), -math.inf, dtype=f, device=q.device)
    l = torch.zeros((*lead, Lq, 1), dtype=f, device=q.device)  # noqa: E741
    acc = torch.zeros((*lead, Lq, v.size(-1)), dtype=f, device=q.device)
    qf = q.to(f) * scale
    for start in range(0, Lk, block):
        sl = slice(start, min(start + block, Lk))
        s = qf @ k[..., sl, :].to(f).transpose(-1, -2)
        if mask is not None:
            blk = mask[..., sl]
            s = s.masked_fill(~blk, -math.inf) if blk.dtype == torch.bool else s + blk.to(f)
        m_new = torch.maximum(m, s.amax(-1, keepdim=True))
        safe = torch.where(torch.isinf(m_new), torch.zeros_like(m_new), m_new)
        p = torch.exp(s - safe)
        alpha = torch.exp(m - safe)
        l = l * alpha + p.sum(-1, keepdim=True)  # noqa: E741
        acc = acc * alpha + p @ v[..., sl, :].to(f)
        m = m_new
    out = torch.where(l > 0, acc / torch.where(l > 0, l, torch.ones_like(l)), torch.zeros_like(acc))
    return out.to(q.dtype)
