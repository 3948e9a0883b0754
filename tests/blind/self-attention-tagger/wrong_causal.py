# blind: wrong
# bug: is_causal=True: a tagger must see both sides (and the layer stops being permutation-equivariant)
# family: mask-polarity
import torch
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
        length = ids.shape[1]
        causal = torch.ones(length, length, dtype=torch.bool, device=ids.device).tril()
        attn_mask = causal if mask is None else causal & mask[:, None, None, :].bool()
        o = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        if mask is not None:
            o = o * mask.any(dim=-1)[:, None, None, None]  # a sequence with no real token: zeros
        o = self.out_proj(o.transpose(1, 2).flatten(2))
        return self.classifier(self.norm(x + o))
