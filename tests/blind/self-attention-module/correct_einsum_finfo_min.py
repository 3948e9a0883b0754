# blind: correct
import math

import torch
from torch import nn


class SelfAttention(nn.Module):
    """Self-attention in the module's dtype; padded keys get finfo.min, empty sequences are zeroed."""

    def __init__(self, d_model, num_heads):
        super().__init__()
        self.h = num_heads
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            setattr(self, name, nn.Linear(d_model, d_model))

    def forward(self, x, key_padding_mask=None):
        split = lambda t: t.unflatten(-1, (self.h, -1))  # noqa: E731
        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))  # [B, L, H, D]
        s = torch.einsum("bihd,bjhd->bhij", q, k) * (1.0 / math.sqrt(q.shape[-1]))
        if key_padding_mask is not None:
            real = key_padding_mask[:, None, None, :]
            s = s.masked_fill(~real, torch.finfo(s.dtype).min)
            p = torch.softmax(s, dim=-1) * real
        else:
            p = torch.softmax(s, dim=-1)
        o = torch.einsum("bhij,bjhd->bihd", p, v).flatten(2)
        return self.out_proj(o)
