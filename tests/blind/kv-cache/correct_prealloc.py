# blind: correct
# family: other
import torch


class KVCache:
    """Keys and values of one layer, [B, H, length, D], at most max_len positions."""

    def __init__(self, batch, num_heads, head_dim, max_len, dtype=torch.float32, device="cpu"):
        self.max_len = max_len
        self.k = torch.zeros(batch, num_heads, max_len, head_dim, dtype=dtype, device=device)
        self.v = torch.zeros(batch, num_heads, max_len, head_dim, dtype=dtype, device=device)
        self._length = 0

    @property
    def length(self) -> int:
        """How many positions are stored."""
        return self._length

    def append(self, k, v):
        """k, v [B, H, T, D] -> (all keys, all values) so far, [B, H, length, D] each."""
        t = k.shape[2]
        end = self._length + t
        if end > self.max_len:
            raise ValueError(f"cache full: {self._length} + {t} > {self.max_len}")
        self.k[:, :, self._length : end] = k
        self.v[:, :, self._length : end] = v
        self._length = end
        return self.k[:, :, :end], self.v[:, :, :end]
