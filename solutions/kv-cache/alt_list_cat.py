"""A growing cache: keep the appended chunks in a list and concatenate them on every append."""

from __future__ import annotations

import torch


class KVCache:
    def __init__(self, batch, num_heads, head_dim, max_len, dtype=torch.float32, device="cpu"):
        self.dtype, self.device, self.max_len = dtype, device, max_len
        self.keys: list[torch.Tensor] = []
        self.values: list[torch.Tensor] = []
        self.empty = torch.zeros(batch, num_heads, 0, head_dim, dtype=dtype, device=device)

    @property
    def length(self):
        return sum(x.shape[2] for x in self.keys)

    def append(self, k, v):
        if self.length + k.shape[2] > self.max_len:
            raise ValueError("KV cache overflow")
        # clone: the cache must own its data even if the caller later reuses k and v
        self.keys.append(k.to(self.device, self.dtype).clone())
        self.values.append(v.to(self.device, self.dtype).clone())
        return torch.cat([self.empty, *self.keys], dim=2), torch.cat([self.empty, *self.values], dim=2)
