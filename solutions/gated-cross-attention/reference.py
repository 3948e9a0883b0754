"""Reference: Flamingo's gated cross-attention dense block (Alayrac et al., 2022), tanh gates starting at 0."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class GatedCrossAttention(nn.Module):
    def __init__(self, d_model, d_visual, num_heads, gate_init=0.0):
        super().__init__()
        self.num_heads = num_heads
        self.attn_norm = nn.LayerNorm(d_model)
        self.q_proj = nn.Linear(d_model, d_model, bias=False)
        self.k_proj = nn.Linear(d_visual, d_model, bias=False)  # keys and values come from the visual tokens
        self.v_proj = nn.Linear(d_visual, d_model, bias=False)
        self.out_proj = nn.Linear(d_model, d_model, bias=False)
        self.attn_gate = nn.Parameter(torch.full((1,), float(gate_init)))
        self.ff_norm = nn.LayerNorm(d_model)
        self.ff1 = nn.Linear(d_model, 4 * d_model)
        self.ff2 = nn.Linear(4 * d_model, d_model)
        self.ff_gate = nn.Parameter(torch.full((1,), float(gate_init)))

    def forward(self, x, visual, visual_mask=None):
        b, lt, e = x.shape
        lv = visual.shape[1]
        h = self.num_heads
        d = e // h
        q = self.q_proj(self.attn_norm(x)).view(b, lt, h, d).transpose(1, 2)  # [B, H, Lt, D]
        k = self.k_proj(visual).view(b, lv, h, d).transpose(1, 2)  # [B, H, Lv, D]
        v = self.v_proj(visual).view(b, lv, h, d).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d)  # [B, H, Lt, Lv]
        scores = scores.to(torch.promote_types(scores.dtype, torch.float32))
        if visual_mask is not None:  # [B, Lt | 1, Lv], True = may attend; the same for every head
            scores = scores.masked_fill(~visual_mask[:, None], float("-inf"))
        # softmax over the visual tokens; a text token with no visible visual token gets zero weights
        row_max = scores.amax(dim=-1, keepdim=True).detach()
        row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
        weights = torch.exp(scores - row_max)
        denom = weights.sum(dim=-1, keepdim=True)
        weights = (weights / torch.where(denom > 0, denom, torch.ones_like(denom))).to(v.dtype)
        attn = (weights @ v).transpose(1, 2).reshape(b, lt, e)
        # tanh-gated residuals: with the gates at 0 the block returns x, so the frozen LM is untouched
        y = x + torch.tanh(self.attn_gate) * self.out_proj(attn)
        return y + torch.tanh(self.ff_gate) * self.ff2(F.gelu(self.ff1(self.ff_norm(y))))
