# blind: wrong
# bug: LeakyReLU applied to each half's product before summing (leaky(a1.z_i) + leaky(a2.z_j))
# family: missing-term
import torch
import torch.nn.functional as F
from torch import nn


class GATLayer(nn.Module):
    """Literal reading of the paper: per head, build every pair [z_i; z_j] and dot it with a[k]."""

    def __init__(self, in_dim, out_dim, heads, negative_slope=0.2):
        super().__init__()
        self.heads = heads
        self.out_dim = out_dim
        self.negative_slope = negative_slope
        self.W = nn.Linear(in_dim, heads * out_dim, bias=False)
        self.a = nn.Parameter(torch.randn(heads, 2 * out_dim) * 0.1)

    def forward(self, h, adj):
        n = h.shape[0]
        zall = self.W(h)
        outs = []
        for k in range(self.heads):
            z = zall[:, k * self.out_dim : (k + 1) * self.out_dim]  # [N, O]
            pairs = torch.cat([z[:, None, :].expand(n, n, -1), z[None, :, :].expand(n, n, -1)], dim=-1)
            o = self.out_dim
            e = F.leaky_relu(pairs[..., :o] @ self.a[k, :o], self.negative_slope) + F.leaky_relu(
                pairs[..., o:] @ self.a[k, o:], self.negative_slope
            )  # [N, N]
            head = torch.zeros_like(z)
            for i in range(n):
                nb = adj[i].nonzero().flatten()
                if nb.numel() == 0:
                    continue
                w = torch.softmax(e[i, nb], dim=0)
                head[i] = (w[:, None] * z[nb]).sum(0)
            outs.append(head)
        return torch.cat(outs, dim=-1)
