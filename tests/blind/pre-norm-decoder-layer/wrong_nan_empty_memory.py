# blind: wrong
# bug: an item with no real memory position gets NaN (softmax over all -inf, never cleaned)
# family: nan-rows
import math

import torch
import torch.nn.functional as F
from torch import nn


class _Attention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x_q, x_kv, allowed):
        """allowed: bool broadcastable to [B, H, Lq, Lk], True = may attend."""
        B, Lq, E = x_q.shape
        Lk = x_kv.shape[1]
        H = self.num_heads
        D = E // H
        q = self.q_proj(x_q).view(B, Lq, H, D).transpose(1, 2)
        k = self.k_proj(x_kv).view(B, Lk, H, D).transpose(1, 2)
        v = self.v_proj(x_kv).view(B, Lk, H, D).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)).to(torch.promote_types(q.dtype, torch.float32)) / math.sqrt(D)
        scores = scores.masked_fill(~allowed, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        out = (weights.to(v.dtype) @ v).transpose(1, 2).reshape(B, Lq, E)
        return self.out_proj(out)


class _FeedForward(nn.Module):
    def __init__(self, d_model, d_ff):
        super().__init__()
        self.fc1 = nn.Linear(d_model, d_ff)
        self.fc2 = nn.Linear(d_ff, d_model)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class PreNormDecoderLayer(nn.Module):
    def __init__(self, d_model, num_heads, d_ff):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.self_attn = _Attention(d_model, num_heads)
        self.norm2 = nn.LayerNorm(d_model)
        self.cross_attn = _Attention(d_model, num_heads)
        self.norm3 = nn.LayerNorm(d_model)
        self.ffn = _FeedForward(d_model, d_ff)

    def forward(self, tgt, memory, memory_mask=None):
        B, Lt, _ = tgt.shape
        Ls = memory.shape[1]
        causal = torch.ones(Lt, Lt, dtype=torch.bool, device=tgt.device).tril()
        if memory_mask is None:
            memory_mask = torch.ones(B, Ls, dtype=torch.bool, device=tgt.device)
        x = tgt
        h = self.norm1(x)
        x = x + self.self_attn(h, h, causal)
        x = x + self.cross_attn(self.norm2(x), memory, memory_mask[:, None, None, :])
        x = x + self.ffn(self.norm3(x))
        return x
