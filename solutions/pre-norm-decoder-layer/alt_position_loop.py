"""Alternative: float64 inside; the causal self-attention decodes one target position at a time."""

import math

import torch
import torch.nn.functional as F
from torch import nn


class _Heads(nn.Module):
    def __init__(self, e):
        super().__init__()
        self.q_proj, self.k_proj = nn.Linear(e, e), nn.Linear(e, e)
        self.v_proj, self.out_proj = nn.Linear(e, e), nn.Linear(e, e)


class _FFN(nn.Module):
    def __init__(self, e, f):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(e, f), nn.Linear(f, e)


def _lin(x, m):
    return F.linear(x, m.weight.double(), m.bias.double())


def _mha(p, x, kv, H, keep):  # x [B, Lq, E], kv [B, Lk, E], keep [B, Lk] or None
    B, Lq, E = x.shape
    D = E // H
    q = _lin(x, p.q_proj).view(B, Lq, H, D).transpose(1, 2)
    k = _lin(kv, p.k_proj).view(B, -1, H, D).transpose(1, 2)
    v = _lin(kv, p.v_proj).view(B, -1, H, D).transpose(1, 2)
    s = q @ k.transpose(-1, -2) / math.sqrt(D)
    if keep is not None:
        s = s.masked_fill(~keep[:, None, None, :], -math.inf)
    lse = torch.logsumexp(s, -1, keepdim=True)
    w = torch.where(torch.isfinite(lse), torch.exp(s - lse.nan_to_num(neginf=0.0)), torch.zeros_like(s))
    return _lin((w @ v).transpose(1, 2).reshape(B, Lq, E), p.out_proj)


class PreNormDecoderLayer(nn.Module):
    def __init__(self, d_model, num_heads, d_ff):
        super().__init__()
        self.H = num_heads
        self.norm1 = nn.LayerNorm(d_model)
        self.self_attn = _Heads(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.cross_attn = _Heads(d_model)
        self.norm3 = nn.LayerNorm(d_model)
        self.ffn = _FFN(d_model, d_ff)

    def _ln(self, x, n):
        return F.layer_norm(x, x.shape[-1:], n.weight.double(), n.bias.double(), n.eps)

    def forward(self, tgt, memory, memory_mask=None):
        x = tgt.double()
        h = self._ln(x, self.norm1)
        # position t attends to positions 0 ... t: run it as Lt single-query steps over a growing prefix
        sa = torch.cat([_mha(self.self_attn, h[:, t:t + 1], h[:, :t + 1], self.H, None) for t in range(x.shape[1])], 1)
        x = x + sa
        x = x + _mha(self.cross_attn, self._ln(x, self.norm2), memory.double(), self.H, memory_mask)
        x = x + _lin(F.gelu(_lin(self._ln(x, self.norm3), self.ffn.fc1)), self.ffn.fc2)
        return x.to(tgt.dtype)
