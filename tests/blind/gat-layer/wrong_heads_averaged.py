# blind: wrong
# bug: heads averaged (the output-layer variant) instead of concatenated
# family: shape/transposition
import torch
import torch.nn.functional as F
from torch import nn


class GATLayer(nn.Module):
    """a^T [z_i; z_j] split into a_1 . z_i + a_2 . z_j, broadcast to [H, N, N] (the usual GAT trick)."""

    def __init__(self, in_dim, out_dim, heads, negative_slope=0.2):
        super().__init__()
        self.heads, self.out_dim, self.negative_slope = heads, out_dim, negative_slope
        self.W = nn.Linear(in_dim, heads * out_dim, bias=False)
        self.a = nn.Parameter(torch.empty(heads, 2 * out_dim))
        nn.init.xavier_uniform_(self.a)

    def forward(self, h, adj):
        n = h.shape[0]
        z = self.W(h).view(n, self.heads, self.out_dim)  # [N, H, O]
        src = (z * self.a[:, : self.out_dim]).sum(-1)  # [N, H]
        dst = (z * self.a[:, self.out_dim :]).sum(-1)  # [N, H]
        e = F.leaky_relu(src.T[:, :, None] + dst.T[:, None, :], self.negative_slope)  # [H, N, N]
        e = e.masked_fill(~adj[None], float("-inf"))
        alpha = torch.nan_to_num(torch.softmax(e, dim=-1), nan=0.0)
        out = alpha @ z.transpose(0, 1)  # [H, N, O]
        return out.mean(0)
