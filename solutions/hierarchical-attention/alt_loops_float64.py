"""Alternative: document by document and sentence by sentence in float64, real items gathered first."""

from __future__ import annotations

import torch
from torch import nn


class HierarchicalAttention(nn.Module):
    def __init__(self, vocab_size, d_model, attn_dim, num_classes):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.word_proj = nn.Linear(d_model, attn_dim)
        self.word_context = nn.Linear(attn_dim, 1, bias=False)
        self.sent_proj = nn.Linear(d_model, attn_dim)
        self.sent_context = nn.Linear(attn_dim, 1, bias=False)
        self.classifier = nn.Linear(d_model, num_classes)

    @staticmethod
    def _attend(items, keep, proj, context):
        """items [N, E] float64, keep [N] -> (pooled [E], weights [N])."""
        weights = torch.zeros(items.shape[0], dtype=torch.float64, device=items.device)
        if not keep.any():
            return torch.zeros_like(items[0]), weights
        u = torch.tanh(items[keep] @ proj.weight.double().T + proj.bias.double())
        a = torch.softmax(u @ context.weight.double()[0], dim=0)
        weights[keep] = a
        return a @ items[keep], weights

    def forward(self, ids, word_mask=None, sent_mask=None):
        b, s, w = ids.shape
        emb = self.embedding(ids).double()
        logits, word_w, sent_w = [], [], []
        for i in range(b):
            vecs, ws = [], []
            for j in range(s):
                keep = torch.ones(w, dtype=torch.bool, device=ids.device) if word_mask is None else word_mask[i, j]
                v, a = self._attend(emb[i, j], keep, self.word_proj, self.word_context)
                vecs.append(v)
                ws.append(a)
            sents = torch.stack(vecs)
            keep_s = torch.ones(s, dtype=torch.bool, device=ids.device) if sent_mask is None else sent_mask[i]
            doc, sa = self._attend(sents, keep_s, self.sent_proj, self.sent_context)
            logits.append(doc @ self.classifier.weight.double().T + self.classifier.bias.double())
            word_w.append(torch.stack(ws))
            sent_w.append(sa)
        dt = self.classifier.weight.dtype
        return torch.stack(logits).to(dt), torch.stack(word_w).to(dt), torch.stack(sent_w).to(dt)
