# blind: correct
# family: factorised fc1 (the four weight blocks applied separately, einsum pooling)
import torch
import torch.nn.functional as F
from torch import nn


class DINAttention(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.d = d
        self.fc1 = nn.Linear(4 * d, hidden)
        self.act = nn.PReLU()
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, target, history, hist_mask=None):
        w_h, w_t, w_d, w_p = self.fc1.weight.split(self.d, dim=1)
        t = target[:, None, :]
        pre = (
            F.linear(history, w_h)
            + F.linear(t, w_t)
            + F.linear(history - t, w_d)
            + F.linear(history * t, w_p)
            + self.fc1.bias
        )
        w = self.fc2(self.act(pre))[..., 0]
        if hist_mask is not None:
            w = torch.where(hist_mask, w, torch.zeros((), dtype=w.dtype, device=w.device))
        return torch.einsum("bl,bld->bd", w, history), w
