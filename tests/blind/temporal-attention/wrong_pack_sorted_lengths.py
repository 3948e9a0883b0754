# blind: wrong
# bug: pack_padded_sequence with enforce_sorted=True: raises unless lengths are sorted descending
# family: edge-case
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class TemporalAttentionForecaster(nn.Module):
    def __init__(self, n_features, hidden_size, horizon, num_layers=2):
        super().__init__()
        self.lstm = nn.LSTM(n_features, hidden_size, num_layers, batch_first=True)
        self.attn = nn.Linear(hidden_size, hidden_size, bias=False)
        self.head = nn.Linear(2 * hidden_size, horizon)

    def forward(self, x, mask):
        lengths = mask.sum(1).cpu()
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=True)
        out, (h_n, _) = self.lstm(packed)
        h, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])  # padded steps are 0
        q = h_n[-1]  # [B, H]
        s = torch.bmm(self.attn(h), q.unsqueeze(-1)).squeeze(-1)  # (W_a h_t) . q
        s = s.masked_fill(~mask, float("-inf"))
        w = torch.softmax(s, dim=1)
        c = torch.bmm(w.unsqueeze(1), h).squeeze(1)
        return self.head(torch.cat([c, q], dim=-1)), w
