# blind: wrong
# bug: splits heads with view(B, H, L, D) directly from [B, L, E] and merges back the same way
# family: transpose
import math

import torch
from torch import nn


class SelfAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = d_model // num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x, key_padding_mask=None):
        B, L, E = x.shape
        H, D = self.num_heads, self.head_dim
        q = self.q_proj(x).view(B, H, L, D)
        k = self.k_proj(x).view(B, H, L, D)
        v = self.v_proj(x).view(B, H, L, D)
        acc = torch.promote_types(x.dtype, torch.float32)
        scores = (q.to(acc) @ k.to(acc).transpose(-2, -1)) / math.sqrt(D)
        if key_padding_mask is not None:
            keep = key_padding_mask[:, None, None, :]  # [B, 1, 1, L]: keys only
            scores = scores.masked_fill(~keep, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        weights = torch.nan_to_num(weights, nan=0.0)  # a sequence with no real token
        out = (weights @ v.to(acc)).to(x.dtype)
        out = out.reshape(B, L, E)
        return self.out_proj(out)
