# blind: wrong
# bug: padding states zeroed in place in h before pooling (h.masked_fill_): the caller's tensor is modified
# family: in-place-mutation
import torch
from torch import nn


class MaskedAttentionPooling(nn.Module):
    """One example at a time: softmax over its real tokens only."""

    def __init__(self, d_model):
        super().__init__()
        self.scorer = nn.Linear(d_model, 1)

    def forward(self, h, mask=None):
        bsz, length, dim = h.shape
        if mask is not None:
            h.masked_fill_(~mask[..., None], 0.0)
        pooled = h.new_zeros(bsz, dim)
        weights = h.new_zeros(bsz, length)
        for b in range(bsz):
            real = torch.ones(length, dtype=torch.bool, device=h.device) if mask is None else mask[b]
            idx = real.nonzero(as_tuple=True)[0]
            if idx.numel() == 0:
                continue
            tok = h[b, idx]  # [n, D]
            w = torch.softmax(self.scorer(tok).squeeze(-1), dim=0)
            weights[b, idx] = w
            pooled[b] = w @ tok
        return pooled, weights
