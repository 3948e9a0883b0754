"""Alternative: einsum everywhere; softmax on the allowed positions only, via an additive bias."""

import torch


def additive_attention(query, keys, values, w_q, w_k, v_a, mask=None):
    hidden = torch.tanh(torch.einsum("ad,bd->ba", w_q, query)[:, None, :] + torch.einsum("ak,blk->bla", w_k, keys))
    scores = torch.einsum("bla,a->bl", hidden, v_a)
    if mask is not None:
        scores = scores + torch.zeros_like(scores).masked_fill(~mask, float("-inf"))
    alive = torch.isfinite(scores).any(-1, keepdim=True)
    weights = torch.softmax(scores.masked_fill(~alive, 0.0), dim=-1) * alive
    return torch.einsum("bl,blv->bv", weights, values), weights
