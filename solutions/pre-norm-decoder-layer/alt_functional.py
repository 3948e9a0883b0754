"""Alternative: same parameters, but LayerNorm, GELU and attention written out by hand with einsum."""

import math

import torch
from torch import nn


def _layer_norm(x, ln):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)  # biased variance, as nn.LayerNorm
    return (x - mu) / torch.sqrt(var + ln.eps) * ln.weight + ln.bias


def _gelu(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


class _Proj(nn.Module):
    def __init__(self, e):
        super().__init__()
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(e, e) for _ in range(4))


class _FFN(nn.Module):
    def __init__(self, e, f):
        super().__init__()
        self.fc1 = nn.Linear(e, f)
        self.fc2 = nn.Linear(f, e)


def _attend(p, x, kv, heads, bias):
    def split(t, lin):
        y = torch.einsum("ble,fe->blf", t, lin.weight) + lin.bias
        return y.unflatten(-1, (heads, -1))  # [B, L, H, D]

    q, k, v = split(x, p.q_proj), split(kv, p.k_proj), split(kv, p.v_proj)
    s = torch.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(q.shape[-1]) + bias
    alive = torch.isfinite(s).any(-1, keepdim=True)
    w = torch.softmax(s.masked_fill(~alive, 0.0), -1) * alive
    o = torch.einsum("bhqk,bkhd->bqhd", w, v).flatten(2)
    return o @ p.out_proj.weight.T + p.out_proj.bias


class PreNormDecoderLayer(nn.Module):
    def __init__(self, d_model, num_heads, d_ff):
        super().__init__()
        self.heads = num_heads
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(d_model), nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.self_attn = _Proj(d_model)
        self.cross_attn = _Proj(d_model)
        self.ffn = _FFN(d_model, d_ff)

    def forward(self, tgt, memory, memory_mask=None):
        B, Lt, _ = tgt.shape
        future = torch.ones(Lt, Lt, dtype=torch.bool, device=tgt.device).triu(1)
        causal_bias = torch.zeros(Lt, Lt, dtype=tgt.dtype, device=tgt.device).masked_fill(future, -math.inf)
        mem_bias = torch.zeros(B, 1, 1, memory.shape[1], dtype=tgt.dtype, device=tgt.device)
        if memory_mask is not None:
            mem_bias = mem_bias.masked_fill(~memory_mask[:, None, None, :], -math.inf)
        h = _layer_norm(tgt, self.norm1)
        x = tgt + _attend(self.self_attn, h, h, self.heads, causal_bias)
        x = x + _attend(self.cross_attn, _layer_norm(x, self.norm2), memory, self.heads, mem_bias)
        f = self.ffn
        return x + (_gelu(_layer_norm(x, self.norm3) @ f.fc1.weight.T + f.fc1.bias) @ f.fc2.weight.T + f.fc2.bias)
