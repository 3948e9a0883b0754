"""Alternative: UniLM-style segment ids (0 = prefix, 1 = target, 2 = pad) compared pairwise."""

from __future__ import annotations

import torch


def prefix_lm_mask(prefix_lengths, seq_len, lengths=None):
    if prefix_lengths.dim() != 1:
        raise ValueError("prefix_lengths must be [B]")
    dev = prefix_lengths.device
    pos = torch.arange(seq_len, device=dev).expand(prefix_lengths.numel(), seq_len)
    n = pos.new_full(prefix_lengths.shape, seq_len) if lengths is None else lengths.to(dev).long()
    if n.shape != prefix_lengths.shape or (prefix_lengths < 0).any() or (prefix_lengths > n).any() \
            or (n > seq_len).any():
        raise ValueError("invalid prefix_lengths / lengths")
    seg = (pos >= prefix_lengths[:, None]).long() + (pos >= n[:, None]).long()  # [B, L]
    q_seg, k_seg = seg[:, :, None], seg[:, None, :]
    q_pos, k_pos = pos[:, :, None], pos[:, None, :]
    see_prefix = k_seg == 0
    see_past_target = (k_seg == 1) & (k_pos <= q_pos) & (q_seg >= 1)
    return (see_prefix | see_past_target)[:, None]
