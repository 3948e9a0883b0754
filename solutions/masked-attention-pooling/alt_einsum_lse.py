"""Alternative: the score as an einsum with the weight row, max-centred log-sum-exp normalisation in at least float32 (in
half precision it loses whole percents of the weights at large scores), einsum pooling."""

from __future__ import annotations

import torch
from torch import nn


class MaskedAttentionPooling(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.scorer = nn.Linear(d_model, 1)

    def forward(self, h, mask=None):
        s = torch.einsum("bld,d->bl", h, self.scorer.weight[0]) + self.scorer.bias[0]
        if mask is None:
            mask = torch.ones(s.shape, dtype=torch.bool, device=h.device)
        work = torch.promote_types(s.dtype, torch.float32)  # at least float32, float64 stays float64
        s = torch.where(mask, s.to(work), torch.full_like(s, float("-inf"), dtype=work))
        has_token = mask.any(dim=1, keepdim=True)
        # centre on the row max first (exact for the top scores), then normalise in log space
        z = s - torch.where(has_token, s.amax(dim=1, keepdim=True), torch.zeros_like(s[:, :1])).detach()
        lse = torch.logsumexp(z, dim=1, keepdim=True)
        w = torch.where(has_token, torch.exp(z - torch.where(has_token, lse, torch.zeros_like(lse))),
                        torch.zeros_like(s))
        w = w.to(h.dtype)
        return torch.einsum("bl,bld->bd", w, h), w
