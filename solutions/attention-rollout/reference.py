"""Reference: attention rollout (Abnar & Zuidema, 2020): head-averaged attention, residual, product over layers."""

from __future__ import annotations

import torch


def attention_rollout(attentions, add_residual=True):
    if len(attentions) == 0:
        raise ValueError("attentions is empty: need at least one layer")
    first = attentions[0]
    if first.dim() != 4 or first.shape[-1] != first.shape[-2]:
        raise ValueError(f"each layer must be [B, H, L, L], got {list(first.shape)}")
    if any(a.shape != first.shape for a in attentions):
        raise ValueError("all layers must have the same shape")
    work = torch.promote_types(first.dtype, torch.float32)  # a product of many matrices: >= float32
    b, _, n, _ = first.shape
    eye = torch.eye(n, dtype=work, device=first.device)
    rollout = eye.expand(b, n, n)  # [B, L, L]
    for a in attentions:  # layer 0 (next to the input) first
        layer = a.to(work).mean(dim=1)  # [B, L, L]: average over heads
        if add_residual:
            layer = layer + eye  # the residual connection carries each token's own state forward
            layer = layer / layer.sum(dim=-1, keepdim=True)  # rows are distributions again
        rollout = layer @ rollout  # later layers on the left: R = A_l ... A_1
    return rollout.to(first.dtype)
