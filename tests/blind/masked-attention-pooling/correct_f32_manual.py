# blind: correct
# family: higher-precision-internal
import torch
import torch.nn.functional as F
from torch import nn


class MaskedAttentionPooling(nn.Module):
    """Scores, softmax and the weighted sum in at least float32; outputs cast back to h's dtype."""

    def __init__(self, d_model):
        super().__init__()
        self.scorer = nn.Linear(d_model, 1)

    def forward(self, h, mask=None):
        acc = torch.promote_types(h.dtype, torch.float32)
        hf = h.to(acc)
        s = F.linear(hf, self.scorer.weight.to(acc), self.scorer.bias.to(acc))[..., 0]
        keep = torch.ones_like(s, dtype=torch.bool) if mask is None else mask.to(torch.bool)
        s = s.masked_fill(~keep, torch.finfo(acc).min)
        e = torch.exp(s - s.amax(dim=1, keepdim=True)) * keep
        z = e.sum(dim=1, keepdim=True)
        w = e / torch.where(z > 0, z, torch.ones_like(z))
        pooled = torch.einsum("bl,bld->bd", w, hf)
        return pooled.to(h.dtype), w.to(h.dtype)
