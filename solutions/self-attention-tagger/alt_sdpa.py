"""Alternative: F.scaled_dot_product_attention with the bool mask (True = may attend) and F.layer_norm."""

from __future__ import annotations

import torch.nn.functional as F
from torch import nn


class SelfAttentionTagger(nn.Module):
    def __init__(self, vocab_size, d_model, num_heads, num_tags):
        super().__init__()
        self.num_heads = num_heads
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        self.norm = nn.LayerNorm(d_model)
        self.classifier = nn.Linear(d_model, num_tags)

    def forward(self, ids, mask=None):
        x = self.embedding(ids)
        b, l, e = x.shape

        def split(t):
            return t.unflatten(-1, (self.num_heads, -1)).permute(0, 2, 1, 3)

        keep = None if mask is None else mask[:, None, None, :]
        o = F.scaled_dot_product_attention(split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x)),
                                           attn_mask=keep)  # PyTorch >= 2.5: rows with no key give zeros
        y = x + self.out_proj(o.permute(0, 2, 1, 3).reshape(b, l, e))
        y = F.layer_norm(y, (e,), self.norm.weight, self.norm.bias, self.norm.eps)
        return F.linear(y, self.classifier.weight, self.classifier.bias)
