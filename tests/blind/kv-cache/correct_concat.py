# blind: correct
# family: other
import torch


class KVCache:
    """A growing pair of tensors, concatenated on the sequence axis (simple, not the fastest)."""

    def __init__(self, batch, num_heads, head_dim, max_len, dtype=torch.float32, device="cpu"):
        self.capacity = max_len
        self.dtype = dtype
        self.keys = torch.empty(batch, num_heads, 0, head_dim, dtype=dtype, device=device)
        self.values = torch.empty(batch, num_heads, 0, head_dim, dtype=dtype, device=device)

    @property
    def length(self) -> int:
        return int(self.keys.shape[2])

    def append(self, k, v):
        if self.length + k.shape[-2] > self.capacity:
            raise ValueError("KVCache overflow")
        new_k = torch.cat([self.keys, k.to(self.dtype)], dim=2)
        new_v = torch.cat([self.values, v.to(self.dtype)], dim=2)
        self.keys, self.values = new_k, new_v
        return self.keys, self.values
