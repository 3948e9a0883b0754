# blind: wrong
# bug: residual taken from the normalised text (attn_norm(x) + gate * a), so a new block is not the identity
# family: missing-term
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
        self.k_proj = nn.Linear(d_visual, d_model, bias=False)
        self.v_proj = nn.Linear(d_visual, d_model, bias=False)
        self.out_proj = nn.Linear(d_model, d_model, bias=False)
        self.attn_gate = nn.Parameter(torch.tensor([float(gate_init)]))
        self.ff_norm = nn.LayerNorm(d_model)
        self.ff1 = nn.Linear(d_model, 4 * d_model)
        self.ff2 = nn.Linear(4 * d_model, d_model)
        self.ff_gate = nn.Parameter(torch.tensor([float(gate_init)]))

    def forward(self, x, visual, visual_mask=None):
        b, lt, e = x.shape
        lv = visual.shape[1]
        h = self.num_heads
        d = e // h
        x = self.attn_norm(x)
        q = self.q_proj(x).view(b, lt, h, d).transpose(1, 2)
        k = self.k_proj(visual).view(b, lv, h, d).transpose(1, 2)
        v = self.v_proj(visual).view(b, lv, h, d).transpose(1, 2)
        scores = q @ k.transpose(-2, -1) / math.sqrt(d)  # [B, H, Lt, Lv]
        if visual_mask is not None:
            scores = scores.masked_fill(~visual_mask[:, None], float("-inf"))
        attn = torch.nan_to_num(scores.softmax(dim=-1), nan=0.0)
        a = self.out_proj((attn @ v).transpose(1, 2).reshape(b, lt, e))
        y = x + torch.tanh(self.attn_gate) * a
        return y + torch.tanh(self.ff_gate) * self.ff2(F.gelu(self.ff1(self.ff_norm(y))))
