# blind: wrong
# bug: bool mask turned into a float 0/1 mask for SDPA: it is added as a bias and hides nothing
# family: mask-polarity
import torch.nn.functional as F
from torch import nn


class SelfAttentionTagger(nn.Module):
    def __init__(self, vocab_size, d_model, num_heads, num_tags):
        super().__init__()
        self.h = num_heads
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        self.norm = nn.LayerNorm(d_model)
        self.classifier = nn.Linear(d_model, num_tags)

    def forward(self, ids, mask=None):
        x = self.embedding(ids)
        heads = lambda t: t.unflatten(-1, (self.h, -1)).transpose(1, 2)  # noqa: E731
        q, k, v = heads(self.q_proj(x)), heads(self.k_proj(x)), heads(self.v_proj(x))
        attn_mask = None if mask is None else mask[:, None, None, :].to(q.dtype)
        o = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        if mask is not None:
            o = o * mask.any(dim=-1)[:, None, None, None]  # a sequence with no real token: zeros
        o = self.out_proj(o.transpose(1, 2).flatten(2))
        return self.classifier(self.norm(x + o))
