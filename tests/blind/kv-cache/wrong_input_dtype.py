# blind: wrong
# bug: ignores the cache dtype: stores and returns the inputs' dtype
# family: dtype
import torch


class KVCache:
    """Keys and values of one layer, kept as lists of chunks."""

    def __init__(self, batch, num_heads, head_dim, max_len, dtype=torch.float32, device="cpu"):
        self.max_len = max_len
        self.ks, self.vs = [], []
        self.n = 0

    @property
    def length(self) -> int:
        return self.n

    def append(self, k, v):
        if self.n + k.shape[2] > self.max_len:
            raise ValueError("cache full")
        self.ks.append(k)
        self.vs.append(v)
        self.n += k.shape[2]
        return torch.cat(self.ks, dim=2), torch.cat(self.vs, dim=2)
