"""Alternative: einsum with an explicit head axis, additive -inf bias, pooling through a weight matrix."""

import torch
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
        H = self.num_heads
        present = mask if mask is not None else torch.ones(B, N, dtype=torch.bool, device=entities.device)
        entities = torch.where(present[..., None], entities, torch.zeros((), dtype=entities.dtype))  # NaN-proof

        def split(lin):
            return lin(entities).reshape(B, N, H, E // H)

        q, k, v = split(self.q_proj), split(self.k_proj), split(self.v_proj)
        bias = torch.zeros(B, 1, 1, N, dtype=entities.dtype, device=entities.device)
        bias = bias.masked_fill(~present[:, None, None, :], float("-inf"))
        logits = torch.einsum("bqhd,bkhd->bhqk", q, k) * (E // H) ** -0.5 + bias
        alive = torch.isfinite(logits).any(-1, keepdim=True)
        probs = torch.softmax(logits.masked_fill(~alive, 0.0), dim=-1) * alive
        y = self.out_proj(torch.einsum("bhqk,bkhd->bqhd", probs, v).reshape(B, N, E))
        pool = present.to(y.dtype)
        pool = pool / pool.sum(-1, keepdim=True).clamp(min=1)  # [B, N]: 1/count on present entities
        return torch.einsum("bn,bne->be", pool, y)
