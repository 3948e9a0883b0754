# blind: wrong
# bug: normalises the weights with a masked softmax over the history (the contract says no softmax)
# family: missing-term
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
        if hist_mask is not None:
            w = w.masked_fill(~hist_mask, float("-inf"))
        w = torch.nan_to_num(torch.softmax(w, dim=-1), nan=0.0)
        interest = torch.bmm(w.unsqueeze(1), history).squeeze(1)
        return interest, w
