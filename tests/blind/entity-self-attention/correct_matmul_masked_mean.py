# blind: correct
# family: plain (matmul, -inf mask, nan_to_num, masked mean)
import math

import torch
from torch import nn


class EntitySelfAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.h = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, entities, mask=None):
        B, N, E = entities.shape
        if mask is None:
            mask = torch.ones(B, N, dtype=torch.bool, device=entities.device)
        x = entities.masked_fill(~mask[..., None], 0)  # absent slots may hold anything, even NaN

        def heads(t):
            return t.view(B, N, self.h, E // self.h).transpose(1, 2)

        q, k, v = heads(self.q_proj(x)), heads(self.k_proj(x)), heads(self.v_proj(x))
        s = q @ k.transpose(-2, -1) / math.sqrt(E // self.h)
        s = s.masked_fill(~mask[:, None, None, :], float("-inf"))
        p = torch.nan_to_num(torch.softmax(s, dim=-1), nan=0.0)
        y = self.out_proj((p @ v).transpose(1, 2).reshape(B, N, E))
        y = y.masked_fill(~mask[..., None], 0)
        count = mask.sum(1, keepdim=True).clamp_min(1).to(y.dtype)
        return y.sum(1) / count
