"""Alternative: one head at a time with einsum on that head's weight rows; an additive -inf bias."""

import torch
from torch import nn


class CrossAttention(nn.Module):
    def __init__(self, d_model, d_memory, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_memory, d_model)
        self.v_proj = nn.Linear(d_memory, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x, memory, memory_mask=None):
        d = x.shape[-1] // self.num_heads
        bias = torch.zeros(memory.shape[0], 1, memory.shape[1], dtype=x.dtype, device=x.device)  # [B, 1, Ls]
        if memory_mask is not None:
            bias = bias.masked_fill(~memory_mask.unsqueeze(1), float("-inf"))
        outs = []
        for h in range(self.num_heads):
            r = slice(h * d, (h + 1) * d)
            q = torch.einsum("bte,fe->btf", x, self.q_proj.weight[r]) + self.q_proj.bias[r]
            k = torch.einsum("bse,fe->bsf", memory, self.k_proj.weight[r]) + self.k_proj.bias[r]
            v = torch.einsum("bse,fe->bsf", memory, self.v_proj.weight[r]) + self.v_proj.bias[r]
            logits = torch.einsum("btf,bsf->bts", q, k) / d ** 0.5 + bias
            alive = torch.isfinite(logits).any(-1, keepdim=True)
            probs = torch.softmax(logits.masked_fill(~alive, 0.0), dim=-1) * alive
            outs.append(probs @ v)
        return self.out_proj(torch.cat(outs, dim=-1))
