# blind: wrong
# bug: attention branch left in float32, so the residual stream and the block output are float32 for half inputs
# family: dtype
import torch
import torch.nn.functional as F
from torch import nn


class GatedCrossAttention(nn.Module):
    """lucidrains-style einsum attention; scores and softmax in float32 (float64 kept), masked weights zeroed."""

    def __init__(self, d_model, d_visual, num_heads, gate_init=0.0):
        super().__init__()
        self.heads = num_heads
        self.scale = (d_model // num_heads) ** -0.5
        self.attn_norm = nn.LayerNorm(d_model)
        self.q_proj = nn.Linear(d_model, d_model, bias=False)
        self.k_proj = nn.Linear(d_visual, d_model, bias=False)
        self.v_proj = nn.Linear(d_visual, d_model, bias=False)
        self.out_proj = nn.Linear(d_model, d_model, bias=False)
        self.attn_gate = nn.Parameter(torch.full((1,), gate_init))
        self.ff_norm = nn.LayerNorm(d_model)
        self.ff1 = nn.Linear(d_model, 4 * d_model)
        self.ff2 = nn.Linear(4 * d_model, d_model)
        self.ff_gate = nn.Parameter(torch.full((1,), gate_init))

    def _attend(self, x, visual, visual_mask):
        acc = torch.promote_types(x.dtype, torch.float32)
        split = lambda t: t.unflatten(-1, (self.heads, -1)).to(acc)  # noqa: E731  [B, L, H, D]
        q, k, v = split(self.q_proj(self.attn_norm(x))), split(self.k_proj(visual)), split(self.v_proj(visual))
        sim = torch.einsum("bihd,bjhd->bhij", q, k) * self.scale
        if visual_mask is not None:
            keep = visual_mask.bool().unsqueeze(1)  # [B, 1, Lt | 1, Lv]
            sim = sim.masked_fill(~keep, torch.finfo(acc).min)
            attn = sim.softmax(dim=-1) * keep
        else:
            attn = sim.softmax(dim=-1)
        out = torch.einsum("bhij,bjhd->bihd", attn, v).flatten(2)
        return F.linear(out, self.out_proj.weight.to(out.dtype))

    def forward(self, x, visual, visual_mask=None):
        y = self._attend(x, visual, visual_mask) * self.attn_gate.tanh() + x
        ff = self.ff2(F.gelu(self.ff1(self.ff_norm(y.to(x.dtype)))))
        return ff * self.ff_gate.tanh() + y
