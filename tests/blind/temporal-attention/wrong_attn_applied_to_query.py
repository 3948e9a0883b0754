# blind: wrong
# bug: applies W_a to the query: h_t . (W_a q) instead of (W_a h_t) . q
# family: shape/transposition
import torch
from torch import nn


class TemporalAttentionForecaster(nn.Module):
    def __init__(self, n_features, hidden_size, horizon, num_layers=2):
        super().__init__()
        self.lstm = nn.LSTM(n_features, hidden_size, num_layers, batch_first=True)
        self.attn = nn.Linear(hidden_size, hidden_size, bias=False)
        self.head = nn.Linear(2 * hidden_size, horizon)

    def forward(self, x, mask):
        zero = torch.zeros((), dtype=x.dtype, device=x.device)
        x = torch.where(mask[..., None], x, zero)  # padded steps may hold NaN or inf
        h, _ = self.lstm(x)  # [B, T, H]; steps after the last observed one are ignored below
        last = mask.long().sum(1) - 1
        q = h[torch.arange(h.shape[0], device=h.device), last]
        h = torch.where(mask[..., None], h, zero)
        s = torch.einsum("bth,bh->bt", h, self.attn(q))
        s = s.masked_fill(~mask, float("-inf"))
        w = s.softmax(-1)
        c = torch.einsum("bt,bth->bh", w, h)
        return self.head(torch.cat((c, q), -1)), w
