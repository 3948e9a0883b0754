"""Alternative: float64 inside, heads in a Python loop with einsum, only real keys gathered per example."""

from __future__ import annotations

import torch
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
        x = self.embedding(ids).double()
        b, l, e = x.shape
        dh = e // self.num_heads

        def lin(m, t):
            return t @ m.weight.double().T + m.bias.double()

        q, k, v = lin(self.q_proj, x), lin(self.k_proj, x), lin(self.v_proj, x)
        out = torch.zeros_like(x)
        for i in range(b):
            real = torch.ones(l, dtype=torch.bool, device=x.device) if mask is None else mask[i]
            if not real.any():
                continue  # no key at all: attention output 0 for every position
            for hd in range(self.num_heads):
                cols = slice(hd * dh, (hd + 1) * dh)
                s = torch.einsum("qd,kd->qk", q[i, :, cols], k[i, real, cols]) / dh ** 0.5
                out[i, :, cols] = torch.softmax(s, dim=-1) @ v[i, real, cols]
        y = x + lin(self.out_proj, out)
        mu = y.mean(-1, keepdim=True)
        var = y.var(-1, unbiased=False, keepdim=True)
        y = (y - mu) / torch.sqrt(var + self.norm.eps) * self.norm.weight.double() + self.norm.bias.double()
        return lin(self.classifier, y).to(self.classifier.weight.dtype)
