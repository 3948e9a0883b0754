"""Alternative: one example at a time in float64, softmax only over the real positions."""

from __future__ import annotations

import torch


def bidaf_attention(c, q, w, c_mask=None, q_mask=None):
    b, t, d = c.shape
    w64 = w.double()
    out = []
    for i in range(b):
        ci, qi = c[i].double(), q[i].double()
        cm = torch.ones(t, dtype=torch.bool, device=c.device) if c_mask is None else c_mask[i]
        qm = torch.ones(qi.shape[0], dtype=torch.bool, device=c.device) if q_mask is None else q_mask[i]
        u_att = torch.zeros_like(ci)
        h_att = torch.zeros(d, dtype=torch.float64, device=c.device)
        if qm.any():
            qr = qi[qm]  # [J', d] real question words
            s = ci @ w64[:d, None] + (qr @ w64[d:2 * d])[None, :] + (ci * w64[2 * d:]) @ qr.T  # [T, J']
            u_att = torch.softmax(s, dim=1) @ qr
            if cm.any():
                h_att = torch.softmax(s.max(dim=1).values[cm], dim=0) @ ci[cm]
        out.append(torch.cat([ci, u_att, ci * u_att, ci * h_att.expand(t, d)], dim=-1))
    return torch.stack(out).to(c.dtype)
