"""Alternative: the paper's formula literally, one head at a time: a^T [W h_i || W h_j] on an [N, N, 2F'] tensor."""

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
        n = h.shape[0]
        outs = []
        for k in range(self.heads):
            w_k = self.W.weight[k * self.out_dim:(k + 1) * self.out_dim]  # [F', F_in]
            z = h @ w_k.T  # [N, F']
            pairs = torch.cat([z[:, None, :].expand(n, n, -1), z[None, :, :].expand(n, n, -1)], dim=-1)
            e = F.leaky_relu(pairs @ self.a[k], self.negative_slope)  # [N, N]
            e = torch.where(adj, e, torch.full_like(e, float("-inf")))
            has = adj.any(-1, keepdim=True)
            alpha = torch.softmax(torch.where(has, e, torch.zeros_like(e)), dim=-1) * has
            outs.append(alpha @ z)
        return torch.cat(outs, dim=-1)
