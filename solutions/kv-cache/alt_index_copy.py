"""A preallocated cache written with index_copy_ at explicit positions, read back with narrow."""

from __future__ import annotations

import torch


class KVCache:
    def __init__(self, batch, num_heads, head_dim, max_len, dtype=torch.float32, device="cpu"):
        self._buf = torch.zeros(2, batch, num_heads, max_len, head_dim, dtype=dtype, device=device)  # [2, B, H, max_len, D]
        self._n = 0

    @property
    def length(self) -> int:
        return int(self._n)

    def append(self, k, v):
        new = k.size(2)
        if self._n + new > self._buf.size(3):
            raise ValueError(f"KV cache full: {self._n} + {new} > {self._buf.size(3)}")
        pos = torch.arange(self._n, self._n + new, device=self._buf.device)
        kv = torch.stack([k, v]).to(self._buf.dtype)  # [2, B, H, new, D]
        self._buf.index_copy_(3, pos, kv)
        self._n += new
        return self._buf[0].narrow(2, 0, self._n), self._buf[1].narrow(2, 0, self._n)
