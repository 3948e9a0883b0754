"""Alternative: the paper's literal similarity on the materialised [B, T, J, 3d] concatenation; the dtype's most negative finite value as the fill."""

from __future__ import annotations

import torch


def bidaf_attention(c, q, w, c_mask=None, q_mask=None):
    b, t, d = c.shape
    j = q.shape[1]
    if c_mask is None:
        c_mask = torch.ones(b, t, dtype=torch.bool, device=c.device)
    if q_mask is None:
        q_mask = torch.ones(b, j, dtype=torch.bool, device=c.device)
    ct = c.unsqueeze(2).expand(b, t, j, d)
    qj = q.unsqueeze(1).expand(b, t, j, d)
    s = torch.cat([ct, qj, ct * qj], dim=-1) @ w  # [B, T, J]
    qm = q_mask.unsqueeze(1)  # [B, 1, J]
    a = torch.softmax(s.masked_fill(~qm, torch.finfo(s.dtype).min), dim=-1) * qm  # an empty question: uniform * 0 = 0
    u_att = torch.einsum("btj,bjd->btd", a, q)
    has_q = q_mask.any(-1, keepdim=True)  # [B, 1]
    best = s.masked_fill(~qm, torch.finfo(s.dtype).min).max(dim=-1).values
    cm = c_mask & has_q
    bw = torch.softmax(best.masked_fill(~cm, torch.finfo(s.dtype).min), dim=-1) * cm
    h_att = torch.einsum("bt,btd->bd", bw, c)[:, None, :]
    return torch.cat([c, u_att, c * u_att, c * h_att], dim=-1)
