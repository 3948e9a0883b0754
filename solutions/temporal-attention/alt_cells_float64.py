"""Alternative: the LSTM written out cell by cell in float64 (gates i, f, g, o), one series at a time."""

import torch
from torch import nn


class TemporalAttentionForecaster(nn.Module):
    def __init__(self, n_features, hidden_size, horizon, num_layers=2):
        super().__init__()
        self.num_layers = num_layers
        self.lstm = nn.LSTM(n_features, hidden_size, num_layers, batch_first=True)
        self.attn = nn.Linear(hidden_size, hidden_size, bias=False)
        self.head = nn.Linear(2 * hidden_size, horizon)

    def _encode(self, series):
        """Top-layer states [n, H] of one series of n observed steps."""
        inp = series
        for layer in range(self.num_layers):
            w_ih = getattr(self.lstm, f"weight_ih_l{layer}").double()
            w_hh = getattr(self.lstm, f"weight_hh_l{layer}").double()
            bias = (getattr(self.lstm, f"bias_ih_l{layer}") + getattr(self.lstm, f"bias_hh_l{layer}")).double()
            h = torch.zeros(w_hh.shape[1], dtype=torch.float64, device=series.device)
            c = torch.zeros_like(h)
            outs = []
            for step in inp:
                i, f, g, o = (w_ih @ step + w_hh @ h + bias).chunk(4)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
                outs.append(h)
            inp = torch.stack(outs)
        return inp

    def forward(self, x, mask):
        ys, ws = [], []
        for b in range(x.shape[0]):
            n = int(mask[b].sum())
            states = self._encode(x[b, :n].double())  # only the observed prefix
            query = states[-1]
            scores = (states @ self.attn.weight.double().T) @ query
            w = torch.softmax(scores, dim=0)
            context = w @ states
            ys.append(torch.cat([context, query]) @ self.head.weight.double().T + self.head.bias.double())
            ws.append(torch.cat([w, w.new_zeros(x.shape[1] - n)]))
        return torch.stack(ys).to(x.dtype), torch.stack(ws).to(x.dtype)
