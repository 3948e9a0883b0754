# blind: correct
# family: functional + einsum, finfo.min mask, empty rows zeroed with where
import torch
import torch.nn.functional as F
from torch import nn


class LocationSensitiveAttention(nn.Module):
    def __init__(self, query_dim, memory_dim, attn_dim, n_filters, kernel_size):
        super().__init__()
        self.query_layer = nn.Linear(query_dim, attn_dim, bias=False)
        self.memory_layer = nn.Linear(memory_dim, attn_dim, bias=False)
        self.location_conv = nn.Conv1d(1, n_filters, kernel_size, padding=(kernel_size - 1) // 2, bias=False)
        self.location_layer = nn.Linear(n_filters, attn_dim, bias=False)
        self.v = nn.Linear(attn_dim, 1, bias=False)

    def forward(self, query, memory, cum_weights, mask=None):
        conv = F.conv1d(cum_weights[:, None, :], self.location_conv.weight, padding=self.location_conv.padding)
        f = torch.einsum("bft,af->bta", conv, self.location_layer.weight)
        pq = torch.einsum("bq,aq->ba", query, self.query_layer.weight)[:, None, :]
        pm = torch.einsum("btm,am->bta", memory, self.memory_layer.weight)
        e = torch.einsum("bta,a->bt", torch.tanh(pq + pm + f), self.v.weight[0])
        if mask is None:
            mask = torch.ones_like(e, dtype=torch.bool)
        e = e.masked_fill(~mask, torch.finfo(e.dtype).min)
        w = torch.softmax(e, dim=-1)
        w = torch.where(mask, w, torch.zeros_like(w))  # also zeroes utterances with no real frame
        return torch.einsum("bt,btm->bm", w, memory), w
