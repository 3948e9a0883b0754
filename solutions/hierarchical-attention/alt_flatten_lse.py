"""Alternative: fold sentences into the batch, one shared pooling helper with log-sum-exp normalisation."""

from __future__ import annotations

import torch
from torch import nn


def _pool(states, proj, context, keep):
    """states [N, L, E], keep [N, L] -> (pooled [N, E], weights [N, L])."""
    scores = context(torch.tanh(proj(states)))[..., 0]
    scores = torch.where(keep, scores, torch.full_like(scores, float("-inf")))
    lse = torch.logsumexp(scores, dim=1, keepdim=True)
    any_kept = keep.any(dim=1, keepdim=True)
    weights = torch.where(any_kept, torch.exp(scores - torch.where(any_kept, lse, torch.zeros_like(lse))),
                          torch.zeros_like(scores))
    return torch.bmm(weights.unsqueeze(1), states).squeeze(1), weights


class HierarchicalAttention(nn.Module):
    def __init__(self, vocab_size, d_model, attn_dim, num_classes):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.word_proj = nn.Linear(d_model, attn_dim)
        self.word_context = nn.Linear(attn_dim, 1, bias=False)
        self.sent_proj = nn.Linear(d_model, attn_dim)
        self.sent_context = nn.Linear(attn_dim, 1, bias=False)
        self.classifier = nn.Linear(d_model, num_classes)

    def forward(self, ids, word_mask=None, sent_mask=None):
        b, s, w = ids.shape
        x = self.embedding(ids.reshape(b * s, w))  # [B*S, W, E]
        wm = torch.ones(b * s, w, dtype=torch.bool, device=ids.device) if word_mask is None \
            else word_mask.reshape(b * s, w)
        sm = torch.ones(b, s, dtype=torch.bool, device=ids.device) if sent_mask is None else sent_mask
        sent_vec, ww = _pool(x, self.word_proj, self.word_context, wm)
        doc, sw = _pool(sent_vec.reshape(b, s, -1), self.sent_proj, self.sent_context, sm)
        return self.classifier(doc), ww.reshape(b, s, w), sw
