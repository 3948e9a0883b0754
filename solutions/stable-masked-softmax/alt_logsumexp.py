"""Alternative: probabilities as exp(x - logsumexp(x)), in float64 inside, empty rows replaced by zeros."""

from __future__ import annotations

import torch


def masked_softmax(scores, mask, dim=-1):
    keep = mask.to(scores.device).expand(scores.shape)
    x = scores.double()
    any_kept = keep.any(dim=dim, keepdim=True)
    # neutral finite values in empty rows, so that neither the forward nor the backward sees -inf - (-inf)
    x = torch.where(keep, x, torch.where(any_kept, float("-inf"), 0.0))
    log_p = x - torch.logsumexp(x, dim=dim, keepdim=True)
    p = torch.where(any_kept, torch.exp(log_p), 0.0)
    return p.to(scores.dtype)
