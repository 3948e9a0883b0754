# blind: correct
# family: location conv as unfold windows, manual softmax in float32 or better
import torch
import torch.nn.functional as F
from torch import nn


class LocationSensitiveAttention(nn.Module):
    def __init__(self, query_dim, memory_dim, attn_dim, n_filters, kernel_size):
        super().__init__()
        self.k = kernel_size
        self.query_layer = nn.Linear(query_dim, attn_dim, bias=False)
        self.memory_layer = nn.Linear(memory_dim, attn_dim, bias=False)
        self.location_conv = nn.Conv1d(1, n_filters, kernel_size, padding=(kernel_size - 1) // 2, bias=False)
        self.location_layer = nn.Linear(n_filters, attn_dim, bias=False)
        self.v = nn.Linear(attn_dim, 1, bias=False)

    def forward(self, query, memory, cum_weights, mask=None):
        ct = torch.promote_types(memory.dtype, torch.float32)
        pad = (self.k - 1) // 2
        win = F.pad(cum_weights.to(ct), (pad, pad)).unfold(-1, self.k, 1)  # [B, T, k]
        loc = win @ self.location_conv.weight.to(ct)[:, 0, :].T  # [B, T, F]
        f = loc @ self.location_layer.weight.to(ct).T
        pq = query.to(ct) @ self.query_layer.weight.to(ct).T
        pm = memory.to(ct) @ self.memory_layer.weight.to(ct).T
        e = (torch.tanh(pq[:, None] + pm + f) @ self.v.weight.to(ct).T)[..., 0]  # [B, T]
        real = torch.ones_like(e, dtype=torch.bool) if mask is None else mask
        e = torch.where(real, e, torch.full_like(e, float("-inf")))
        m = e.amax(-1, keepdim=True)
        m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
        p = torch.exp(e - m)
        w = p / p.sum(-1, keepdim=True).clamp_min(torch.finfo(ct).tiny)
        ctx = (w[..., None] * memory.to(ct)).sum(1)
        return ctx.to(memory.dtype), w.to(memory.dtype)
