"""Alternative: start from a causal mask and open the prefix block of each row in a loop."""

from __future__ import annotations

import torch


def prefix_lm_mask(prefix_lengths, seq_len, lengths=None):
    if prefix_lengths.dim() != 1:
        raise ValueError("prefix_lengths must be 1-D")
    b = prefix_lengths.shape[0]
    if lengths is None:
        lengths = torch.full((b,), seq_len, dtype=torch.long)
    if lengths.shape != prefix_lengths.shape:
        raise ValueError("shape mismatch")
    out = torch.zeros(b, 1, seq_len, seq_len, dtype=torch.bool)
    causal = torch.ones(seq_len, seq_len, dtype=torch.bool).tril()
    for r, (p, n) in enumerate(zip(prefix_lengths.tolist(), lengths.tolist())):
        if not 0 <= p <= n <= seq_len:
            raise ValueError(f"row {r}: prefix {p}, length {n}, seq_len {seq_len}")
        m = causal.clone()
        m[:, :p] = True  # every query sees the whole prefix
        m[:, n:] = False  # pad keys
        out[r, 0] = m
    return out.to(prefix_lengths.device)
