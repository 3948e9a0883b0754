# blind: wrong
# bug: treats memory_mask as a key_padding_mask (True = padding): blocks the real positions
# family: mask-polarity
import math

import torch
from torch import nn


class CrossAttention(nn.Module):
    def __init__(self, d_model, d_memory, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = d_model // num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_memory, d_model)
        self.v_proj = nn.Linear(d_memory, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def _split(self, t):
        b, length, _ = t.shape
        return t.view(b, length, self.num_heads, self.head_dim).transpose(1, 2)

    def forward(self, x, memory, memory_mask=None):
        """x [B, Lt, E], memory [B, Ls, Em] -> [B, Lt, E]; memory_mask bool [B, Ls], True = REAL position."""
        b, lt, e = x.shape
        q = self._split(self.q_proj(x))
        k = self._split(self.k_proj(memory))
        v = self._split(self.v_proj(memory))
        work = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
        scores = (q.to(work) @ k.to(work).transpose(-2, -1)) / math.sqrt(self.head_dim)
        if memory_mask is not None:
            scores = scores.masked_fill(memory_mask[:, None, None, :], float("-inf"))
        weights = torch.softmax(scores, dim=-1).nan_to_num(0.0)
        ctx = (weights @ v.to(work)).to(x.dtype)
        ctx = ctx.transpose(1, 2).reshape(b, lt, e)
        return self.out_proj(ctx)
