"""Reference: a pre-LN Transformer decoder layer (causal self-attention, cross-attention, GELU FFN)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class Attention(nn.Module):
    """Multi-head attention of x over kv; `keep` is a bool mask broadcastable to [B, H, Lq, Lk]."""

    def __init__(self, d_model, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x, kv, keep=None):
        b, lq, e = x.shape
        lk, h = kv.shape[1], self.num_heads
        d = e // h
        q = self.q_proj(x).view(b, lq, h, d).transpose(1, 2)  # [B, H, Lq, D]
        k = self.k_proj(kv).view(b, lk, h, d).transpose(1, 2)  # [B, H, Lk, D]
        v = self.v_proj(kv).view(b, lk, h, d).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d)  # [B, H, Lq, Lk]
        if keep is not None:
            scores = scores.masked_fill(~keep, float("-inf"))
        row_max = scores.amax(dim=-1, keepdim=True).detach()
        row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
        weights = torch.exp(scores - row_max)
        denom = weights.sum(dim=-1, keepdim=True)
        weights = weights / torch.where(denom > 0, denom, torch.ones_like(denom))  # empty rows -> zeros
        return self.out_proj((weights @ v).transpose(1, 2).reshape(b, lq, e))


class FeedForward(nn.Module):
    def __init__(self, d_model, d_ff):
        super().__init__()
        self.fc1 = nn.Linear(d_model, d_ff)
        self.fc2 = nn.Linear(d_ff, d_model)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))  # exact (erf) GELU


class PreNormDecoderLayer(nn.Module):
    def __init__(self, d_model, num_heads, d_ff):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.self_attn = Attention(d_model, num_heads)
        self.norm2 = nn.LayerNorm(d_model)
        self.cross_attn = Attention(d_model, num_heads)
        self.norm3 = nn.LayerNorm(d_model)
        self.ffn = FeedForward(d_model, d_ff)

    def forward(self, tgt, memory, memory_mask=None):
        lt = tgt.shape[1]
        causal = torch.ones(lt, lt, dtype=torch.bool, device=tgt.device).tril()  # position t sees 0 ... t
        cross = None if memory_mask is None else memory_mask[:, None, None, :]  # [B, 1, 1, Ls], True = real
        x = tgt
        # pre-LN: normalise the input of each sublayer, add its output to the untouched residual stream
        h = self.norm1(x)
        x = x + self.self_attn(h, h, causal)
        x = x + self.cross_attn(self.norm2(x), memory, cross)  # queries from the decoder, keys/values from memory
        x = x + self.ffn(self.norm3(x))
        return x  # no final LayerNorm: that belongs at the end of the decoder stack
