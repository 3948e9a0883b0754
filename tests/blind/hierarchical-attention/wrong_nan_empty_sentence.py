# blind: wrong
# bug: no guard for a sentence with no real word: its weights and vector are NaN
# family: edge-case (fully-masked)
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

    def forward(self, ids, word_mask=None, sent_mask=None):
        x = self.embedding(ids)  # [B, S, W, d]
        wscore = self.word_context(torch.tanh(self.word_proj(x))).squeeze(-1)  # [B, S, W]
        if word_mask is not None:
            wscore = wscore.masked_fill(~word_mask, float("-inf"))
        alpha = torch.softmax(wscore, dim=-1)
        s = (alpha.unsqueeze(-1) * x).sum(dim=2)  # [B, S, d]
        sscore = self.sent_context(torch.tanh(self.sent_proj(s))).squeeze(-1)  # [B, S]
        if sent_mask is not None:
            sscore = sscore.masked_fill(~sent_mask, float("-inf"))
        beta = torch.nan_to_num(torch.softmax(sscore, dim=-1), nan=0.0)
        v = (beta.unsqueeze(-1) * s).sum(dim=1)  # [B, d]
        return self.classifier(v), alpha, beta
