"""Reference: Luong (multiplicative) global attention with the "dot" and "general" scores."""

from __future__ import annotations

import torch


def luong_attention(dec_h, enc_out, score, w=None, mask=None):
    if score == "dot":
        if dec_h.shape[-1] != enc_out.shape[-1]:
            raise ValueError(f"'dot' needs equal sizes, got {dec_h.shape[-1]} and {enc_out.shape[-1]}")
        query = dec_h  # [B, D]
    elif score == "general":
        if w is None:
            raise ValueError("'general' needs the weight w [Dd, De]")
        query = dec_h @ w  # [B, Dd] @ [Dd, De] -> [B, De]: h^T W, then a dot product with each h_s
    else:
        raise ValueError(f"unknown score {score!r}; expected 'dot' or 'general'")
    scores = (enc_out @ query.unsqueeze(-1)).squeeze(-1)  # [B, L]; unscaled, as in Luong et al.
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))  # True = keep
    row_max = scores.amax(dim=-1, keepdim=True).detach()
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    weights = torch.exp(scores - row_max)
    denom = weights.sum(dim=-1, keepdim=True)
    weights = weights / torch.where(denom > 0, denom, torch.ones_like(denom))  # no allowed position -> zeros
    context = (weights.unsqueeze(1) @ enc_out).squeeze(1)  # [B, De]: the encoder states are the values
    return context, weights
