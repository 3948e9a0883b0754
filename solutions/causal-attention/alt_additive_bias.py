"""Alternative: an additive -inf bias from triu, einsum, softmax computed in float64."""

import torch


def causal_attention(q, k, v, scale=None):
    lq, lk = q.shape[-2], k.shape[-2]
    if lq > lk:
        raise ValueError("Lq must not exceed Lk")
    scale = q.shape[-1] ** -0.5 if scale is None else scale
    bias = torch.full((lq, lk), float("-inf"), dtype=torch.float64, device=q.device).triu(lk - lq + 1)
    logits = torch.einsum("bhqd,bhkd->bhqk", q.double(), k.double()) * scale + bias
    probs = logits.softmax(-1)
    return torch.einsum("bhqk,bhkd->bhqd", probs, v.double()).to(q.dtype)
