# blind: correct
# family: higher-precision-internal
import torch
import torch.nn.functional as F
from torch import nn


class GATLayer(nn.Module):
    """Scores and softmax in at least float32 with an explicit max-subtraction; result cast back to h's dtype."""

    def __init__(self, in_dim, out_dim, heads, negative_slope=0.2):
        super().__init__()
        self.heads, self.out_dim, self.slope = heads, out_dim, negative_slope
        self.W = nn.Linear(in_dim, heads * out_dim, bias=False)
        self.a = nn.Parameter(torch.zeros(heads, 2 * out_dim))

    def forward(self, h, adj):
        acc = torch.promote_types(h.dtype, torch.float32)
        z = self.W(h).unflatten(-1, (self.heads, self.out_dim)).to(acc)  # [N, H, O]
        a = self.a.to(acc)
        a_i, a_j = a.chunk(2, dim=-1)
        e = torch.einsum("ihd,hd->hi", z, a_i)[:, :, None] + torch.einsum("jhd,hd->hj", z, a_j)[:, None, :]
        e = F.leaky_relu(e, self.slope)
        allowed = adj.bool()[None]
        e = e.masked_fill(~allowed, torch.finfo(acc).min)
        e = e - e.amax(-1, keepdim=True)
        p = torch.exp(e) * allowed
        p = p / p.sum(-1, keepdim=True).clamp_min(torch.finfo(acc).tiny)
        out = torch.einsum("hij,jhd->ihd", p, z)
        return out.flatten(1).to(h.dtype)
