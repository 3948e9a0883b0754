# blind: wrong
# bug: multiplies by hist_mask unconditionally: hist_mask=None raises
# family: edge-case
import torch
from torch import nn


class DINAttention(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.fc1 = nn.Linear(4 * d, hidden)
        self.act = nn.PReLU()
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, target, history, hist_mask=None):
        t = target.unsqueeze(1).expand_as(history)
        feats = torch.cat([history, t, history - t, history * t], dim=-1)
        w = self.fc2(self.act(self.fc1(feats))).squeeze(-1)  # [B, L]
        w = w * hist_mask.to(w.dtype)
        interest = torch.bmm(w.unsqueeze(1), history).squeeze(1)
        return interest, w
