"""Alternative: explicit loops over batch items and matrix entries (float64 Python arithmetic on lists)."""

from __future__ import annotations

import torch


def attention_rollout(attentions, add_residual=True):
    if len(attentions) == 0:
        raise ValueError("need at least one layer")
    ref = attentions[0]
    if ref.dim() != 4 or ref.shape[2] != ref.shape[3] or any(a.shape != ref.shape for a in attentions):
        raise ValueError("layers must all be [B, H, L, L]")
    b, h, n, _ = ref.shape
    out = torch.empty(b, n, n, dtype=torch.float64)
    for bi in range(b):
        r = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
        for a in attentions:
            w = a[bi].double().mean(0).tolist()
            if add_residual:
                w = [[w[i][j] + (1.0 if i == j else 0.0) for j in range(n)] for i in range(n)]
                w = [[x / sum(row) for x in row] for row in w]
            r = [[sum(w[i][k] * r[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
        out[bi] = torch.tensor(r, dtype=torch.float64)
    return out.to(device=ref.device, dtype=ref.dtype)
