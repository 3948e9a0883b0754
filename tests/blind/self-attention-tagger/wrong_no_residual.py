# blind: wrong
# bug: h = norm(attention(x)): the residual x is missing
# family: missing-term
import math

import torch
from torch import nn


class SelfAttentionTagger(nn.Module):
    def __init__(self, vocab_size, d_model, num_heads, num_tags):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = d_model // num_heads
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        self.norm = nn.LayerNorm(d_model)
        self.classifier = nn.Linear(d_model, num_tags)

    def _split(self, t):
        b, length, _ = t.shape
        return t.view(b, length, self.num_heads, self.head_dim).transpose(1, 2)

    def forward(self, ids, mask=None):
        x = self.embedding(ids)
        b, length, e = x.shape
        q, k, v = self._split(self.q_proj(x)), self._split(self.k_proj(x)), self._split(self.v_proj(x))
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)  # [B, H, L, L]
        if mask is not None:
            scores = scores.masked_fill(~mask[:, None, None, :], float("-inf"))  # hide padded keys
        p = torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0)
        attn = self.out_proj((p @ v).transpose(1, 2).reshape(b, length, e))
        return self.classifier(self.norm(attn))
