"""Alternative: one text token at a time, keys restricted to its visible visual tokens by indexing."""

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
        B, Lt, E = x.shape
        H = self.num_heads
        D = E // H
        q = self.q_proj(self.attn_norm(x))  # [B, Lt, E]
        k, v = self.k_proj(visual), self.v_proj(visual)  # [B, Lv, E]
        rows = []
        for b in range(B):
            for i in range(Lt):
                seen = torch.ones(visual.shape[1], dtype=torch.bool, device=x.device) if visual_mask is None \
                    else visual_mask[b, min(i, visual_mask.shape[1] - 1)]
                if not seen.any():  # a text token with no visual token to read: no attention output
                    rows.append(torch.zeros(E, dtype=x.dtype, device=x.device))
                    continue
                kk, vv = k[b, seen].view(-1, H, D), v[b, seen].view(-1, H, D)  # [n, H, D]
                qq = q[b, i].view(H, D)
                s = torch.einsum("hd,nhd->hn", qq, kk) / math.sqrt(D)
                w = torch.softmax(s.to(torch.promote_types(s.dtype, torch.float32)), -1).to(x.dtype)
                rows.append(torch.einsum("hn,nhd->hd", w, vv).reshape(E))
        attn = torch.stack(rows).view(B, Lt, E)
        y = x + torch.tanh(self.attn_gate) * self.out_proj(attn)
        return y + torch.tanh(self.ff_gate) * self.ff2(F.gelu(self.ff1(self.ff_norm(y))))
