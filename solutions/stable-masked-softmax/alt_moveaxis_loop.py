"""Alternative: move `dim` last, flatten to rows and treat each row in a Python loop."""

from __future__ import annotations

import torch


def masked_softmax(scores, mask, dim=-1):
    full = torch.broadcast_to(mask, scores.shape)
    s = scores.movedim(dim, -1)
    m = full.movedim(dim, -1)
    rows_s = s.reshape(-1, s.shape[-1]).to(torch.float32 if scores.element_size() < 4 else scores.dtype)
    rows_m = m.reshape(-1, m.shape[-1])
    out_rows = []
    for r, k in zip(rows_s, rows_m):
        if not bool(k.any()):
            out_rows.append(torch.zeros_like(r))
            continue
        kept = r[k]
        w = torch.exp(kept - kept.max())
        row = torch.zeros_like(r)
        row = row.masked_scatter(k, w / w.sum())
        out_rows.append(row)
    out = torch.stack(out_rows).reshape(s.shape).movedim(-1, dim)
    return out.to(scores.dtype)
