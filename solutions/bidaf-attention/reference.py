"""Reference: BiDAF's attention flow layer (context-to-query and query-to-context attention) with masks."""

from __future__ import annotations

import torch


def _masked_softmax(scores, keep, dim):
    """Softmax over `dim` of the entries where `keep` is True; all-blocked slices give zeros."""
    scores = scores.masked_fill(~keep, float("-inf"))
    top = scores.amax(dim=dim, keepdim=True).detach()
    top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
    e = torch.exp(scores - top)
    total = e.sum(dim=dim, keepdim=True)
    return e / torch.where(total > 0, total, torch.ones_like(total))


def bidaf_attention(c, q, w, c_mask=None, q_mask=None):
    b, t, d = c.shape
    j = q.shape[1]
    c_keep = torch.ones(b, t, dtype=torch.bool, device=c.device) if c_mask is None else c_mask
    q_keep = torch.ones(b, j, dtype=torch.bool, device=c.device) if q_mask is None else q_mask
    w_c, w_q, w_cq = w[:d], w[d:2 * d], w[2 * d:]
    # S_tj = w_c . c_t + w_q . q_j + (w_cq * c_t) . q_j, without materialising [B, T, J, 3d]
    s = (c @ w_c).unsqueeze(2) + (q @ w_q).unsqueeze(1) + (c * w_cq) @ q.transpose(1, 2)  # [B, T, J]
    pair_keep = q_keep[:, None, :].expand(b, t, j)
    # context-to-query: each context token reads the question words (softmax over J)
    a = _masked_softmax(s, pair_keep, dim=2)
    u_att = a @ q  # [B, T, d]
    # query-to-context: context tokens most similar to SOME real question word (max over real j, softmax over T)
    row_best = s.masked_fill(~pair_keep, float("-inf")).amax(dim=2)  # [B, T]; -inf if the question is empty
    bw = _masked_softmax(row_best, c_keep & torch.isfinite(row_best), dim=1)
    h_att = (bw.unsqueeze(1) @ c).expand(b, t, d)  # [B, 1, d] tiled over the T context positions
    return torch.cat([c, u_att, c * u_att, c * h_att], dim=-1)  # [B, T, 4d]
