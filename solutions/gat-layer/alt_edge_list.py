"""Alternative: an edge list with scatter operations (how sparse GAT libraries work), in float64 inside."""

import torch
import torch.nn.functional as F
from torch import nn


class GATLayer(nn.Module):
    def __init__(self, in_dim, out_dim, heads, negative_slope=0.2):
        super().__init__()
        self.heads, self.out_dim, self.negative_slope = heads, out_dim, negative_slope
        self.W = nn.Linear(in_dim, heads * out_dim, bias=False)
        self.a = nn.Parameter(torch.empty(heads, 2 * out_dim))
        nn.init.xavier_uniform_(self.a)

    def forward(self, h, adj):
        n, H, Fo = h.shape[0], self.heads, self.out_dim
        z = F.linear(h.double(), self.W.weight.double()).view(n, H, Fo)
        a = self.a.double()
        dst, src = adj.nonzero(as_tuple=True)  # edge src -> dst: dst attends to src
        logit = F.leaky_relu((z[dst] * a[:, :Fo]).sum(-1) + (z[src] * a[:, Fo:]).sum(-1), self.negative_slope)
        # softmax per destination node: subtract the per-node max, exponentiate, divide by the per-node sum
        idx = dst[:, None].expand(-1, H)
        node_max = torch.full((n, H), float("-inf"), dtype=z.dtype, device=z.device)
        node_max = node_max.scatter_reduce(0, idx, logit.detach(), reduce="amax")
        ex = torch.exp(logit - node_max[dst])
        total = torch.zeros(n, H, dtype=z.dtype, device=z.device).index_add(0, dst, ex)
        alpha = ex / total[dst]  # [E, H]
        out = torch.zeros(n, H, Fo, dtype=z.dtype, device=z.device).index_add(0, dst, alpha[..., None] * z[src])
        return out.reshape(n, H * Fo).to(h.dtype)
