"""Reference: the attention mask of a token tree (speculative decoding verification, Medusa / EAGLE)."""

from __future__ import annotations

import torch


def tree_attention_mask(parents):
    if parents.dim() not in (1, 2):
        raise ValueError(f"parents must be [N] or [B, N], got shape {list(parents.shape)}")
    single = parents.dim() == 1
    p = parents.unsqueeze(0) if single else parents  # [B, N]
    b, n = p.shape
    idx = torch.arange(n, device=p.device)
    if ((p >= idx) | (p < -1)).any():
        raise ValueError("parents[i] must be -1 (a root) or a node before i")
    eye = torch.eye(n, dtype=torch.bool, device=p.device)
    mask = eye.expand(b, n, n).clone()  # [B, N, N]: every node sees itself
    batch = torch.arange(b, device=p.device)
    for i in range(n):
        # parents come before their children, so the parent's row is already complete:
        # i sees exactly what its parent sees, plus itself
        parent = p[:, i].clamp(min=0)  # [B]
        inherited = mask[batch, parent] & (p[:, i] >= 0).unsqueeze(-1)  # [B, N]
        mask[:, i] = mask[:, i] | inherited
    return mask[0] if single else mask
