"""Decoding with the candidate's cache must reproduce one full-sequence causal forward pass."""

from __future__ import annotations

import math

import torch


def causal_attention(q, k, v):
    """Bottom-right causal attention: the Lq queries are the last Lq of the Lk positions."""
    lq, lk = q.shape[-2], k.shape[-2]
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])  # [B, H, Lq, Lk]
    allowed = torch.ones(lq, lk, dtype=torch.bool, device=q.device).tril(diagonal=lk - lq)
    return torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1) @ v  # [B, H, Lq, D]


def decode_matches_full_forward(call, args):
    """prefill + single tokens + a chunk through the cache equals the full causal forward"""
    first = next(step["k"] for step in args if "k" in step)  # [B, H, T, D] from the case's first append
    b, h, _, d = first.shape
    chunks = [4, 1, 1, 3]
    total = sum(chunks)
    gen = torch.Generator().manual_seed(1234)
    q, k, v = (torch.randn(b, h, total, d, generator=gen, dtype=torch.float64).to(first.device, first.dtype)
               for _ in range(3))
    full = causal_attention(q, k, v)  # [B, H, total, D]
    cache = call.new(batch=b, num_heads=h, head_dim=d, max_len=total + 2, dtype=first.dtype,
                     device=str(first.device))
    start = 0
    for t in chunks:
        stop = start + t
        keys, values = cache.append(k=k[:, :, start:stop], v=v[:, :, start:stop])
        if tuple(keys.shape) != (b, h, stop, d) or tuple(values.shape) != (b, h, stop, d):
            return (f"after appending positions {start}..{stop - 1}, append returned keys {list(keys.shape)} and "
                    f"values {list(values.shape)}, expected [{b}, {h}, {stop}, {d}]")
        if cache.length != stop:
            return f"after appending positions {start}..{stop - 1}, length is {cache.length}, expected {stop}"
        out = causal_attention(q[:, :, start:stop], keys.to(q.dtype), values.to(q.dtype))
        err = float((out - full[:, :, start:stop]).abs().max())
        if not err <= 1e-6:
            return (f"attending from positions {start}..{stop - 1} over what the cache returned differs from the "
                    f"full causal forward by {err:.3g} (steps of {chunks} tokens)")
        start = stop
    return None
