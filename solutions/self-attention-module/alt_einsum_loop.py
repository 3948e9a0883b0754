"""Alternative: one head at a time with einsum on the weight rows of that head, additive -inf bias."""

import torch
from torch import nn


class SelfAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x, key_padding_mask=None):
        e = x.shape[-1]
        d = e // self.num_heads
        bias = torch.zeros(x.shape[0], 1, x.shape[1], dtype=x.dtype, device=x.device)  # [B, 1, Lk]
        if key_padding_mask is not None:
            bias = bias.masked_fill(~key_padding_mask[:, None, :], float("-inf"))
        heads = []
        for h in range(self.num_heads):
            rows = slice(h * d, (h + 1) * d)

            def proj(lin, rows=rows):
                return torch.einsum("ble,fe->blf", x, lin.weight[rows]) + lin.bias[rows]

            q, k, v = proj(self.q_proj), proj(self.k_proj), proj(self.v_proj)
            logits = torch.einsum("bqd,bkd->bqk", q, k) * d ** -0.5 + bias
            alive = torch.isfinite(logits).any(-1, keepdim=True)
            probs = torch.softmax(logits.masked_fill(~alive, 0.0), dim=-1) * alive
            heads.append(torch.einsum("bqk,bkd->bqd", probs, v))
        return self.out_proj(torch.cat(heads, dim=-1))
