"""Alternative: transitive closure of the 'is parent of' relation by repeated squaring (log2 N matmuls)."""

from __future__ import annotations

import torch


def tree_attention_mask(parents):
    if parents.dim() not in (1, 2):
        raise ValueError("parents must be [N] or [B, N]")
    p = parents.reshape(-1, parents.shape[-1])  # [B, N]
    n = p.shape[-1]
    pos = torch.arange(n, device=p.device)
    if (p < -1).any() or (p >= pos).any():
        raise ValueError("every parent must be -1 or an earlier node")
    # reach[b, i, j] = 1 when j is i itself or i's parent; squaring doubles the path length covered
    reach = (pos.view(1, 1, n) == p.unsqueeze(-1)).double() + torch.eye(n, dtype=torch.float64, device=p.device)
    steps = 1
    while steps < n:
        reach = ((reach @ reach) > 0).double()  # [B, N, N]
        steps *= 2
    return (reach > 0).reshape(*parents.shape, n)
