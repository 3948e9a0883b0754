"""Reference: Linformer attention, projecting the SEQUENCE axis of K and V down to k positions."""

from __future__ import annotations

import math

import torch


def linformer_attention(q, k, v, e_proj, f_proj):
    length = k.shape[-2]
    if e_proj.shape != f_proj.shape or e_proj.dim() != 2 or e_proj.shape[1] != length:
        raise ValueError(f"e_proj and f_proj must both be [k, L] with L = {length}; got "
                         f"{list(e_proj.shape)} and {list(f_proj.shape)}")
    # K' = E K, V' = F V: mix the L positions into k projected positions, per batch and head
    k_low = e_proj @ k  # [k, L] @ [B, H, L, D] -> [B, H, k, D]
    v_low = f_proj @ v  # [B, H, k, Dv]
    scores = (q @ k_low.transpose(-2, -1)) / math.sqrt(q.shape[-1])  # [B, H, L, k], never [L, L]
    weights = torch.softmax(scores, dim=-1)  # each query normalises over the k projected keys
    return weights @ v_low  # [B, H, L, Dv]
