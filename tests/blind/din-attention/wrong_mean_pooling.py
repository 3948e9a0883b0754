# blind: wrong
# bug: divides the interest by the number of real items (a mean, not the weighted sum)
# family: scale
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
            w = w.masked_fill(~hist_mask, 0.0)
        interest = torch.bmm(w.unsqueeze(1), history).squeeze(1)
        n = history.shape[1] if hist_mask is None else hist_mask.sum(-1, keepdim=True).clamp_min(1)
        return interest / n, w
