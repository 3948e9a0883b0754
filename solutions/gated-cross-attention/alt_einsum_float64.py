"""Alternative: float64 inside, einsum per head, the mask as an additive bias, empty rows zeroed afterwards."""

import torch
import torch.nn.functional as F
from torch import nn


class GatedCrossAttention(nn.Module):
    def __init__(self, d_model, d_visual, num_heads, gate_init=0.0):
        super().__init__()
        self.heads = num_heads
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
        B, Lt, E = x.shape
        Lv, H = visual.shape[1], self.heads
        x64, m64 = x.double(), visual.double()

        def ln(t, norm):
            return F.layer_norm(t, (E,), norm.weight.double(), norm.bias.double(), norm.eps)

        q = (ln(x64, self.attn_norm) @ self.q_proj.weight.double().T).reshape(B, Lt, H, -1)
        k = (m64 @ self.k_proj.weight.double().T).reshape(B, Lv, H, -1)
        v = (m64 @ self.v_proj.weight.double().T).reshape(B, Lv, H, -1)
        s = torch.einsum("bqhd,bkhd->bhqk", q, k) * q.shape[-1] ** -0.5
        if visual_mask is None:
            keep = torch.ones(B, 1, 1, Lv, dtype=torch.bool, device=x.device)
        else:
            keep = visual_mask[:, None].expand(B, 1, visual_mask.shape[1], Lv)
        bias = torch.zeros(keep.shape, dtype=torch.float64, device=x.device).masked_fill(~keep, -1e300)
        p = torch.softmax(s + bias, dim=-1) * keep.any(-1, keepdim=True)  # rows with no visible token: zeros
        o = torch.einsum("bhqk,bkhd->bqhd", p, v).reshape(B, Lt, E) @ self.out_proj.weight.double().T
        y = x64 + torch.tanh(self.attn_gate.double()) * o
        f = F.gelu(ln(y, self.ff_norm) @ self.ff1.weight.double().T + self.ff1.bias.double())
        y = y + torch.tanh(self.ff_gate.double()) * (f @ self.ff2.weight.double().T + self.ff2.bias.double())
        return y.to(x.dtype)
