"""Reference: a preallocated key/value cache for autoregressive decoding (one layer)."""

from __future__ import annotations

import torch


class KVCache:
    def __init__(self, batch, num_heads, head_dim, max_len, dtype=torch.float32, device="cpu"):
        shape = (batch, num_heads, max_len, head_dim)
        # allocated once: decoding then never reallocates or copies the past
        self.k = torch.zeros(shape, dtype=dtype, device=device)  # [B, H, max_len, D]
        self.v = torch.zeros(shape, dtype=dtype, device=device)  # [B, H, max_len, D]
        self.max_len = max_len
        self._length = 0

    @property
    def length(self) -> int:
        """How many positions are stored."""
        return self._length

    def append(self, k, v):
        t = k.shape[-2]
        start, end = self._length, self._length + t
        # validate before touching any state, so a failed append leaves the cache unchanged
        if end > self.max_len:
            raise ValueError(f"cannot append {t} positions to a cache holding {start} of {self.max_len}")
        self.k[:, :, start:start + t] = k  # copies into the buffer (and casts to its dtype)
        self.v[:, :, start:start + t] = v
        self._length = end
        # only the filled prefix: the slots after `end` hold nothing yet
        return self.k[:, :, :end], self.v[:, :, :end]  # [B, H, length, D] each
