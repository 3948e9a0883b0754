"""Reference: HAN-style hierarchical attention: word attention within each sentence, then sentence attention."""

from __future__ import annotations

import torch
from torch import nn


def masked_softmax(scores, keep):
    """Softmax over the last axis where `keep` is True; rows with nothing kept give zeros (no NaN)."""
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
        self.word_context = nn.Linear(attn_dim, 1, bias=False)  # the learned word-level query u_w
        self.sent_proj = nn.Linear(d_model, attn_dim)
        self.sent_context = nn.Linear(attn_dim, 1, bias=False)  # the learned sentence-level query u_s
        self.classifier = nn.Linear(d_model, num_classes)

    def forward(self, ids, word_mask=None, sent_mask=None):
        x = self.embedding(ids)  # [B, S, W, E]
        b, s, w, _ = x.shape
        if word_mask is None:
            word_mask = torch.ones(b, s, w, dtype=torch.bool, device=x.device)
        if sent_mask is None:
            sent_mask = torch.ones(b, s, dtype=torch.bool, device=x.device)
        # word level: inside every sentence, softmax over its W words
        word_scores = self.word_context(torch.tanh(self.word_proj(x))).squeeze(-1)  # [B, S, W]
        word_weights = masked_softmax(word_scores, word_mask)
        sentences = (word_weights.unsqueeze(-1) * x).sum(dim=2)  # [B, S, E]; a sentence with no word -> 0
        # sentence level: softmax over the S sentences of each document
        sent_scores = self.sent_context(torch.tanh(self.sent_proj(sentences))).squeeze(-1)  # [B, S]
        sent_weights = masked_softmax(sent_scores, sent_mask)
        document = (sent_weights.unsqueeze(-1) * sentences).sum(dim=1)  # [B, E]
        return self.classifier(document), word_weights, sent_weights
