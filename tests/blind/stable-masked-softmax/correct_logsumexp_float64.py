# blind: correct
import torch


def masked_softmax(scores, mask, dim=-1):
    """exp(x - logsumexp(x)) in float64; empty slices (logsumexp = -inf) set to zero."""
    x = scores.double().masked_fill(~mask, float("-inf"))
    lse = torch.logsumexp(x, dim=dim, keepdim=True)
    p = torch.exp(x - lse)
    p = torch.where(torch.isneginf(lse), torch.zeros_like(p), p)
    return p.to(scores.dtype)
