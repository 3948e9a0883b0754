# blind: wrong
# bug: attention kept in float32 through out_proj, so half inputs give float32 logits
# family: dtype
import torch
from torch import nn


class SelfAttentionTagger(nn.Module):
    """Attention weights in float32 (float64 kept) with an explicit masked softmax; cast back before out_proj."""

    def __init__(self, vocab_size, d_model, num_heads, num_tags):
        super().__init__()
        self.heads = num_heads
        self.embedding = nn.Embedding(vocab_size, d_model)
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            setattr(self, name, nn.Linear(d_model, d_model))
        self.norm = nn.LayerNorm(d_model)
        self.classifier = nn.Linear(d_model, num_tags)

    def forward(self, ids, mask=None):
        x = self.embedding(ids)
        acc = torch.promote_types(x.dtype, torch.float32)
        q, k, v = (p(x).unflatten(-1, (self.heads, -1)).to(acc) for p in (self.q_proj, self.k_proj, self.v_proj))
        s = torch.einsum("bihd,bjhd->bhij", q, k) * q.shape[-1] ** -0.5
        keep = torch.ones(ids.shape, dtype=torch.bool, device=ids.device) if mask is None else mask
        keep = keep[:, None, None, :]
        s = s.masked_fill(~keep, float("-inf"))
        top = s.amax(dim=-1, keepdim=True).nan_to_num(neginf=0.0)
        e = torch.exp(s - top)
        p = e / e.sum(dim=-1, keepdim=True).clamp_min(torch.finfo(acc).tiny)
        o = torch.einsum("bhij,bjhd->bihd", p, v).flatten(2)
        h = x.to(acc) + torch.nn.functional.linear(o, self.out_proj.weight.to(acc), self.out_proj.bias.to(acc))
        h = torch.nn.functional.layer_norm(h, h.shape[-1:], self.norm.weight.to(acc), self.norm.bias.to(acc))
        return torch.nn.functional.linear(h, self.classifier.weight.to(acc), self.classifier.bias.to(acc))
