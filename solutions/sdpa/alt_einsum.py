"""Alternative: einsum, float64 internally, library softmax, empty rows zeroed afterwards."""

import torch


def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
    scale = q.shape[-1] ** -0.5 if scale is None else scale
    logits = torch.einsum("...qd,...kd->...qk", q.double(), k.double()) * scale
    if mask is not None:
        bias = torch.zeros_like(logits).masked_fill(~mask, -torch.inf) if mask.dtype == torch.bool else mask.double()
        logits = logits + bias
    has_key = torch.isfinite(logits).any(dim=-1, keepdim=True)
    probs = torch.softmax(logits.masked_fill(~has_key, 0.0), dim=-1) * has_key
    return torch.einsum("...qk,...kd->...qd", probs, v.double()).to(q.dtype)
