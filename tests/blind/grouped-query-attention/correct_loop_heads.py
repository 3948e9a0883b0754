# blind: correct
# family: other
import math

import torch


def grouped_query_attention(q, k, v, causal=False, scale=None):
    """A loop over the query heads, each reading kv head h // G."""
    hq, hkv = q.shape[1], k.shape[1]
    if hq % hkv != 0:
        raise ValueError("Hq % Hkv != 0")
    group = hq // hkv
    scale = scale if scale is not None else q.shape[-1] ** -0.5
    lq, lk = q.shape[2], k.shape[2]
    work = torch.float64 if q.dtype == torch.float64 else torch.float32
    blocked = None
    if causal:
        blocked = torch.arange(lk, device=q.device)[None, :] > torch.arange(lq, device=q.device)[:, None] + lk - lq
    heads = []
    for h in range(hq):
        kh, vh = k[:, h // group].to(work), v[:, h // group].to(work)
        s = torch.matmul(q[:, h].to(work), kh.transpose(1, 2)) * scale
        if blocked is not None:
            s = s.masked_fill(blocked, -math.inf)
        row_max = s.max(dim=-1, keepdim=True).values
        row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
        e = torch.exp(s - row_max)
        tot = e.sum(-1, keepdim=True)
        w = e / torch.where(tot == 0, torch.ones_like(tot), tot)
        heads.append(torch.matmul(w, vh))
    return torch.stack(heads, dim=1).to(q.dtype)
