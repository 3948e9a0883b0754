"""Reference: a prefix-LM mask: bidirectional over each row's prefix, causal after it, padding blocked."""

from __future__ import annotations

import torch


def prefix_lm_mask(prefix_lengths, seq_len, lengths=None):
    if prefix_lengths.dim() != 1:
        raise ValueError(f"prefix_lengths must be [B], got shape {list(prefix_lengths.shape)}")
    prefix = prefix_lengths.long()
    real_len = torch.full_like(prefix, seq_len) if lengths is None else lengths.long()
    if real_len.shape != prefix.shape:
        raise ValueError("lengths must have the same shape as prefix_lengths")
    if bool(((prefix < 0) | (prefix > real_len) | (real_len > seq_len)).any()):
        raise ValueError("need 0 <= prefix_lengths <= lengths <= seq_len")
    idx = torch.arange(seq_len, device=prefix.device)
    i = idx.view(1, seq_len, 1)  # query position
    j = idx.view(1, 1, seq_len)  # key position
    p = prefix.view(-1, 1, 1)
    allowed = (j <= i) | (j < p)  # causal, plus every key inside the prefix
    allowed = allowed & (j < real_len.view(-1, 1, 1))  # right padding: never attend to a pad key
    return allowed.unsqueeze(1)  # [B, 1, L, L]
