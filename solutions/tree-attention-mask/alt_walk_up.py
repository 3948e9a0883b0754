"""Alternative: for every node, walk up the parent pointers in plain Python and mark each ancestor."""

from __future__ import annotations

import torch


def tree_attention_mask(parents):
    if parents.dim() not in (1, 2):
        raise ValueError("parents must be [N] or [B, N]")
    rows = parents.tolist() if parents.dim() == 2 else [parents.tolist()]
    n = parents.shape[-1]
    out = torch.zeros(len(rows), n, n, dtype=torch.bool)
    for b, par in enumerate(rows):
        for i, pi in enumerate(par):
            if not -1 <= pi < i:
                raise ValueError(f"node {i} has parent {pi}: parents must come first (or be -1)")
        for i in range(n):
            j = i
            while j != -1:  # i, its parent, its grandparent, ... up to the root
                out[b, i, j] = True
                j = par[j]
    out = out.to(parents.device)
    return out if parents.dim() == 2 else out[0]
