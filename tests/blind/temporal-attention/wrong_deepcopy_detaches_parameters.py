# blind: wrong
# bug: runs a deepcopy(self.lstm).double() in float64: the copy is detached, so no gradient reaches self.lstm's parameters
# family: autograd
import copy

import torch
import torch.nn.functional as F
from torch import nn


class TemporalAttentionForecaster(nn.Module):
    def __init__(self, n_features, hidden_size, horizon, num_layers=2):
        super().__init__()
        self.lstm = nn.LSTM(n_features, hidden_size, num_layers, batch_first=True)
        self.attn = nn.Linear(hidden_size, hidden_size, bias=False)
        self.head = nn.Linear(2 * hidden_size, horizon)

    def forward(self, x, mask):
        B, T, _ = x.shape
        lstm = copy.deepcopy(self.lstm).double()
        wa = self.attn.weight.double()
        ys, ws = [], []
        for b in range(B):
            n = int(mask[b].sum())
            h, _ = lstm(x[b:b + 1, :n].double())
            h = h[0]  # [n, H]
            q = h[-1]
            w = torch.softmax(F.linear(h, wa) @ q, dim=0)
            c = w @ h
            ys.append(F.linear(torch.cat([c, q]), self.head.weight.double(), self.head.bias.double()))
            ws.append(F.pad(w, (0, T - n)))
        return torch.stack(ys).to(x.dtype), torch.stack(ws).to(x.dtype)
