"""Alternative: fc1 applied block by block to the four feature groups, without building the concatenation."""

import torch
import torch.nn.functional as F
from torch import nn


class DINAttention(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.fc1 = nn.Linear(4 * d, hidden)
        self.act = nn.PReLU()
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, target, history, hist_mask=None):
        w_h, w_t, w_diff, w_prod = self.fc1.weight.chunk(4, dim=1)  # each [hidden, D]
        t = target[:, None, :]
        pre = (history @ w_h.T + t @ w_t.T + (history - t) @ w_diff.T + (history * t) @ w_prod.T
               + self.fc1.bias)
        act = torch.where(pre >= 0, pre, self.act.weight * pre)  # PReLU with its single shared slope
        scores = F.linear(act, self.fc2.weight, self.fc2.bias)[..., 0]
        if hist_mask is not None:
            scores = scores * hist_mask.to(scores.dtype)
        return torch.einsum("bl,bld->bd", scores, history), scores
