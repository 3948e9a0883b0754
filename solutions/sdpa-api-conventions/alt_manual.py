"""Alternative: attention written by hand (no SDPA), einsum in float64, empty rows zeroed explicitly."""

import math

import torch


def attention_with_sdpa(q, k, v, key_padding_mask=None, causal=False):
    lq, lk = q.shape[-2], k.shape[-2]
    scores = torch.einsum("bhqd,bhkd->bhqk", q.double(), k.double()) / math.sqrt(q.shape[-1])
    blocked = torch.zeros(1, 1, lq, lk, dtype=torch.bool, device=q.device)
    if key_padding_mask is not None:
        blocked = blocked | key_padding_mask.unsqueeze(1).unsqueeze(2)  # [B, 1, 1, Lk]
    if causal:
        blocked = blocked | torch.ones(lq, lk, dtype=torch.bool, device=q.device).triu(lk - lq + 1)
    scores = scores.masked_fill(blocked, float("-inf"))
    row_max = scores.amax(dim=-1, keepdim=True).clamp(min=torch.finfo(torch.float64).min)
    e = torch.exp(scores - row_max)  # blocked keys give exp(-inf) = 0
    denom = e.sum(dim=-1, keepdim=True)
    probs = e / torch.where(denom > 0, denom, torch.ones_like(denom))  # empty rows stay all zero
    return torch.einsum("bhqk,bhkd->bhqd", probs, v.double()).to(q.dtype)
