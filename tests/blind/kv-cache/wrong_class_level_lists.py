# blind: wrong
# bug: keys/values lists are class attributes: every KVCache instance shares one cache
# family: state
import torch


class KVCache:
    """Keys and values of one layer, [B, H, length, D], at most max_len positions."""

    _keys = []
    _values = []

    def __init__(self, batch, num_heads, head_dim, max_len, dtype=torch.float32, device="cpu"):
        self.max_len = max_len
        self.dtype = dtype

    @property
    def length(self) -> int:
        return sum(k.shape[2] for k in self._keys)

    def append(self, k, v):
        if self.length + k.shape[2] > self.max_len:
            raise ValueError("cache full")
        self._keys.append(k.to(self.dtype))
        self._values.append(v.to(self.dtype))
        return torch.cat(self._keys, dim=2), torch.cat(self._values, dim=2)
