"""Alternative: one scene at a time in float64, attention restricted to the present entities by indexing."""

import torch
import torch.nn.functional as F
from torch import nn


class EntitySelfAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, entities, mask=None):
        B, N, E = entities.shape
        H, D = self.num_heads, E // self.num_heads
        pooled = []
        for b in range(B):
            idx = torch.arange(N, device=entities.device) if mask is None else mask[b].nonzero().flatten()
            if idx.numel() == 0:
                pooled.append(torch.zeros(E, dtype=torch.float64, device=entities.device))
                continue
            x = entities[b, idx].double()  # only the present entities take part

            def proj(lin, x=x):
                return F.linear(x, lin.weight.double(), lin.bias.double()).view(-1, H, D).transpose(0, 1)

            q, k, v = proj(self.q_proj), proj(self.k_proj), proj(self.v_proj)
            att = torch.softmax(q @ k.transpose(-2, -1) / D ** 0.5, dim=-1) @ v  # [H, n, D]
            y = F.linear(att.transpose(0, 1).reshape(-1, E), self.out_proj.weight.double(),
                         self.out_proj.bias.double())
            pooled.append(y.mean(0))
        return torch.stack(pooled).to(entities.dtype)
