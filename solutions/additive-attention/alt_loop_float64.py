"""Alternative: explicit loop over positions in float64, log-sum-exp normalisation."""

import torch


def additive_attention(query, keys, values, w_q, w_k, v_a, mask=None):
    B, L, _ = keys.shape
    q = query.double() @ w_q.double().T  # [B, A]
    cols = []
    for j in range(L):
        e = torch.tanh(q + keys[:, j].double() @ w_k.double().T) @ v_a.double()  # [B]
        if mask is not None:
            e = torch.where(mask[:, j], e, torch.full_like(e, -torch.inf))
        cols.append(e)
    s = torch.stack(cols, dim=1)  # [B, L]
    lse = torch.logsumexp(s, dim=1, keepdim=True)
    w = torch.where(torch.isfinite(lse), torch.exp(s - lse.nan_to_num(neginf=0.0)), torch.zeros_like(s))
    w = torch.nan_to_num(w)
    ctx = (w.unsqueeze(-1) * values.double()).sum(1)
    return ctx.to(values.dtype), w.to(values.dtype)
