# blind: correct
# family: loops
import math

import torch
import torch.nn.functional as F
from torch import nn


class GatedCrossAttention(nn.Module):
    """One head at a time from slices of the projection weights; empty rows zeroed explicitly."""

    def __init__(self, d_model, d_visual, num_heads, gate_init=0.0):
        super().__init__()
        self.num_heads = num_heads
        self.attn_norm = nn.LayerNorm(d_model)
        self.q_proj = nn.Linear(d_model, d_model, bias=False)
        self.k_proj = nn.Linear(d_visual, d_model, bias=False)
        self.v_proj = nn.Linear(d_visual, d_model, bias=False)
        self.out_proj = nn.Linear(d_model, d_model, bias=False)
        self.attn_gate = nn.Parameter(torch.zeros(1) + gate_init)
        self.ff_norm = nn.LayerNorm(d_model)
        self.ff1 = nn.Linear(d_model, 4 * d_model)
        self.ff2 = nn.Linear(4 * d_model, d_model)
        self.ff_gate = nn.Parameter(torch.zeros(1) + gate_init)

    def forward(self, x, visual, visual_mask=None):
        e = x.shape[-1]
        d = e // self.num_heads
        xn = self.attn_norm(x)
        heads = []
        for hd in range(self.num_heads):
            rows = slice(hd * d, (hd + 1) * d)
            q = F.linear(xn, self.q_proj.weight[rows])  # [B, Lt, D]
            k = F.linear(visual, self.k_proj.weight[rows])  # [B, Lv, D]
            v = F.linear(visual, self.v_proj.weight[rows])
            s = torch.bmm(q, k.transpose(1, 2)) / math.sqrt(d)  # [B, Lt, Lv]
            if visual_mask is None:
                p = torch.softmax(s, dim=-1)
            else:
                m = visual_mask.expand_as(s)
                s = s.masked_fill(~m, float("-inf"))
                top = s.amax(dim=-1, keepdim=True)
                top = torch.where(torch.isinf(top), torch.zeros_like(top), top)
                w = torch.exp(s - top)
                den = w.sum(dim=-1, keepdim=True)
                p = torch.where(den > 0, w / den.clamp_min(torch.finfo(s.dtype).tiny), torch.zeros_like(w))
            heads.append(torch.bmm(p, v))
        a = self.out_proj(torch.cat(heads, dim=-1))
        y = x + torch.tanh(self.attn_gate) * a
        return y + torch.tanh(self.ff_gate) * self.ff2(F.gelu(self.ff1(self.ff_norm(y))))
