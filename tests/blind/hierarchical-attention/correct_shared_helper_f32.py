# blind: correct
# family: higher-precision-internal (one attention helper for both levels, float32 softmax)
import torch
from torch import nn


def _context_attention(x, proj, context, keep):
    """x [..., N, d], keep bool [..., N] or None -> (pooled [..., d], weights [..., N])."""
    acc = torch.promote_types(x.dtype, torch.float32)
    score = context(torch.tanh(proj(x)))[..., 0].to(acc)
    if keep is None:
        keep = torch.ones_like(score, dtype=torch.bool)
    score = score.masked_fill(~keep, torch.finfo(acc).min)
    e = torch.exp(score - score.amax(dim=-1, keepdim=True)) * keep
    den = e.sum(dim=-1, keepdim=True)
    w = torch.where(den > 0, e / den.clamp_min(torch.finfo(acc).tiny), torch.zeros_like(e))
    pooled = torch.einsum("...n,...nd->...d", w, x.to(acc))
    return pooled.to(x.dtype), w.to(x.dtype)


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
        x = self.embedding(ids)
        sents, word_w = _context_attention(x, self.word_proj, self.word_context, word_mask)
        doc, sent_w = _context_attention(sents, self.sent_proj, self.sent_context, sent_mask)
        return self.classifier(doc), word_w, sent_w
