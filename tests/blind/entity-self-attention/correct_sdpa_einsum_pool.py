# blind: correct
# family: F.scaled_dot_product_attention with a key mask, einsum pooling
import torch
import torch.nn.functional as F
from torch import nn


class EntitySelfAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.num_heads = num_heads
        for n in ("q_proj", "k_proj", "v_proj", "out_proj"):
            setattr(self, n, nn.Linear(d_model, d_model))

    def forward(self, entities, mask=None):
        B, N, E = entities.shape
        present = torch.ones(B, N, dtype=torch.bool, device=entities.device) if mask is None else mask
        x = torch.where(present[..., None], entities, torch.zeros((), dtype=entities.dtype, device=entities.device))
        q, k, v = (p(x).unflatten(-1, (self.num_heads, -1)).transpose(1, 2)
                   for p in (self.q_proj, self.k_proj, self.v_proj))
        o = F.scaled_dot_product_attention(q, k, v, attn_mask=present[:, None, None, :])
        o = torch.nan_to_num(o, nan=0.0)
        y = self.out_proj(o.transpose(1, 2).flatten(2))
        wts = present.to(y.dtype) / present.sum(-1, keepdim=True).clamp(min=1).to(y.dtype)
        y = torch.where(present[..., None], y, torch.zeros((), dtype=y.dtype, device=y.device))
        return torch.einsum("bn,bne->be", wts, y)
