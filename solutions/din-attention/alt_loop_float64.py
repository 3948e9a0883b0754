"""Alternative: one user at a time in float64, summing only over the real history items."""

import torch
from torch import nn


class DINAttention(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.fc1 = nn.Linear(4 * d, hidden)
        self.act = nn.PReLU()
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, target, history, hist_mask=None):
        B, L, D = history.shape
        w1, b1 = self.fc1.weight.double(), self.fc1.bias.double()
        slope = self.act.weight.double()
        w2, b2 = self.fc2.weight.double()[0], self.fc2.bias.double()[0]
        interests = torch.zeros(B, D, dtype=torch.float64, device=history.device)
        weights = torch.zeros(B, L, dtype=torch.float64, device=history.device)
        for b in range(B):
            t = target[b].double()
            for j in range(L):
                if hist_mask is not None and not bool(hist_mask[b, j]):
                    continue
                h = history[b, j].double()
                z = w1 @ torch.cat([h, t, h - t, h * t]) + b1
                z = torch.where(z >= 0, z, slope * z)
                w = w2 @ z + b2
                weights[b, j] = w
                interests[b] = interests[b] + w * h
        return interests.to(history.dtype), weights.to(history.dtype)
