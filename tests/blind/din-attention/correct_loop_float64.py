# blind: correct
# family: loops over the history, float64 internally
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
        B, L, D = history.shape
        w1, b1 = self.fc1.weight.double(), self.fc1.bias.double()
        w2, b2 = self.fc2.weight.double(), self.fc2.bias.double()
        a = self.act.weight.double()
        t = target.double()
        interest = torch.zeros(B, D, dtype=torch.float64, device=history.device)
        weights = torch.zeros(B, L, dtype=torch.float64, device=history.device)
        for j in range(L):
            h = history[:, j].double()
            z = F.linear(torch.cat([h, t, h - t, h * t], -1), w1, b1)
            wj = F.linear(F.prelu(z, a), w2, b2)[:, 0]
            if hist_mask is not None:
                wj = torch.where(hist_mask[:, j], wj, torch.zeros_like(wj))
            weights[:, j] = wj
            interest += wj[:, None] * h
        return interest.to(history.dtype), weights.to(history.dtype)
