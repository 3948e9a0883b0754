"""Reference: one graph attention (GAT) layer, multi-head, softmax over each node's neighbours only."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class GATLayer(nn.Module):
    def __init__(self, in_dim, out_dim, heads, negative_slope=0.2):
        super().__init__()
        self.heads, self.out_dim, self.negative_slope = heads, out_dim, negative_slope
        self.W = nn.Linear(in_dim, heads * out_dim, bias=False)
        self.a = nn.Parameter(torch.empty(heads, 2 * out_dim))  # per head: [a for W h_i ; a for W h_j]
        nn.init.xavier_uniform_(self.a)

    def forward(self, h, adj):
        n = h.shape[0]
        z = self.W(h).view(n, self.heads, self.out_dim)  # [N, H, F']: head k uses rows k*F' ... (k+1)*F' - 1
        # a^T [z_i ; z_j] = a_1 . z_i + a_2 . z_j, so the [N, N] logits are a sum of two broadcast vectors
        part_i = (z * self.a[:, : self.out_dim]).sum(-1).T  # [H, N]: the attending node i
        part_j = (z * self.a[:, self.out_dim:]).sum(-1).T  # [H, N]: the neighbour j
        e = F.leaky_relu(part_i[:, :, None] + part_j[:, None, :], self.negative_slope)  # [H, N_i, N_j]
        e = e.masked_fill(~adj, float("-inf"))  # adj[i, j] True = j is a neighbour of i
        # softmax over the neighbours j of each node i; a node with no neighbour gets zeros
        row_max = e.amax(dim=-1, keepdim=True).detach()
        row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
        alpha = torch.exp(e - row_max)
        denom = alpha.sum(dim=-1, keepdim=True)
        alpha = alpha / torch.where(denom > 0, denom, torch.ones_like(denom))
        out = alpha @ z.transpose(0, 1)  # [H, N, N] @ [H, N, F'] -> [H, N, F']
        return out.transpose(0, 1).reshape(n, self.heads * self.out_dim)  # concatenate the heads
