"""Known mistake (the source's "word" and "sentence" attention): one attention module used at both levels."""

from __future__ import annotations

import torch
from torch import nn


def masked_softmax(scores, keep):
    scores = scores.masked_fill(~keep, float("-inf"))
    top = scores.amax(dim=-1, keepdim=True).detach()
    top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
    e = torch.exp(scores - top)
    total = e.sum(dim=-1, keepdim=True)
    return e / torch.where(total > 0, total, torch.ones_like(total))


class HierarchicalAttention(nn.Module):
    def __init__(self, vocab_size, d_model, attn_dim, num_classes):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.word_proj = nn.Linear(d_model, attn_dim)
        self.word_context = nn.Linear(attn_dim, 1, bias=False)
        self.sent_proj = nn.Linear(d_model, attn_dim)
        self.sent_context = nn.Linear(attn_dim, 1, bias=False)
        self.classifier = nn.Linear(d_model, num_classes)

    def attention(self, states, keep):  # one scorer, whatever is being pooled
        weights = masked_softmax(self.word_context(torch.tanh(self.word_proj(states))).squeeze(-1), keep)
        return (weights.unsqueeze(-1) * states).sum(dim=-2), weights

    def forward(self, ids, word_mask=None, sent_mask=None):
        x = self.embedding(ids)
        b, s, w, _ = x.shape
        if word_mask is None:
            word_mask = torch.ones(b, s, w, dtype=torch.bool, device=x.device)
        if sent_mask is None:
            sent_mask = torch.ones(b, s, dtype=torch.bool, device=x.device)
        sentences, word_weights = self.attention(x, word_mask)
        document, sent_weights = self.attention(sentences, sent_mask)
        return self.classifier(document), word_weights, sent_weights
