"""Known mistake: each tile is normalised by its own softmax and the tiles' outputs are averaged."""

from __future__ import annotations

import math

import torch


def flash_attention(q, k, v, causal=False, block_size=64, scale=None):
    b, h, lq, d = q.shape
    lk = k.shape[-2]
    scale = 1.0 / math.sqrt(d) if scale is None else scale
    work = torch.promote_types(q.dtype, torch.float32)
    out = torch.zeros((b, h, lq, v.shape[-1]), dtype=work, device=q.device)
    lse = torch.full((b, h, lq), float("-inf"), dtype=work, device=q.device)
    tiles = torch.zeros((b, h, lq), dtype=work, device=q.device)
    q_pos = torch.arange(lq, device=q.device) + (lk - lq)
    for start in range(0, lk, block_size):
        kb, vb = k[:, :, start:start + block_size].to(work), v[:, :, start:start + block_size].to(work)
        s = (q.to(work) @ kb.transpose(-2, -1)) * scale
        if causal:
            k_pos = torch.arange(start, start + kb.shape[-2], device=q.device)
            s = s.masked_fill(k_pos[None, :] > q_pos[:, None], float("-inf"))
        visible = torch.isfinite(s).any(-1)
        out = out + torch.nan_to_num(torch.softmax(s, dim=-1)) @ vb  # normalised within the tile only
        tiles = tiles + visible
        lse = torch.logaddexp(lse, torch.logsumexp(s, dim=-1))
    return (out / tiles.clamp_min(1)[..., None]).to(q.dtype), lse
