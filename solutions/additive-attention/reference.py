"""Reference: additive (Bahdanau) attention of one query over a sequence of keys."""

from __future__ import annotations

import torch


def additive_attention(query, keys, values, w_q, w_k, v_a, mask=None):
    # project both sides into the same A-dim space (nn.Linear layout: x @ w.T)
    q_part = query @ w_q.T  # [B, A]
    k_part = keys @ w_k.T  # [B, L, A]
    # score_j = v_a . tanh(W_q q + W_k k_j): the tanh makes the query term interact with each key
    scores = torch.tanh(q_part.unsqueeze(1) + k_part) @ v_a  # [B, L]; no 1/sqrt scale for additive scores
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))  # True = keep
    # softmax over the L positions; a row with no allowed position gets zero weights
    row_max = scores.amax(dim=-1, keepdim=True).detach()
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    weights = torch.exp(scores - row_max)
    denom = weights.sum(dim=-1, keepdim=True)
    weights = weights / torch.where(denom > 0, denom, torch.ones_like(denom))
    context = (weights.unsqueeze(1) @ values).squeeze(1)  # [B, 1, L] @ [B, L, Dv] -> [B, Dv]
    return context, weights
