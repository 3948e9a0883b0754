"""Alternative: stack the layers, average heads with einsum, and multiply from the last layer down."""

from __future__ import annotations

import torch


def attention_rollout(attentions, add_residual=True):
    if not len(attentions):
        raise ValueError("no layers")
    shapes = {tuple(a.shape) for a in attentions}
    if len(shapes) != 1:
        raise ValueError("layers differ in shape")
    shape = shapes.pop()
    if len(shape) != 4 or shape[-1] != shape[-2]:
        raise ValueError("expected square [B, H, L, L] attention maps")
    stacked = torch.stack([a.double() for a in attentions])  # [layers, B, H, L, L]
    mixed = torch.einsum("nbhij->nbij", stacked) / shape[1]  # head mean, [layers, B, L, L]
    if add_residual:
        mixed = mixed + torch.eye(shape[-1], dtype=mixed.dtype, device=mixed.device)
        mixed = mixed / mixed.sum(-1, keepdim=True)
    result = mixed[-1]
    for layer in reversed(range(len(attentions) - 1)):
        result = result @ mixed[layer]  # (A_L ... A_{l+1}) A_l: same product, other association
    return result.to(attentions[0].dtype)
