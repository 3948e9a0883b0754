"""Alternative: an additive float mask (0 = allowed, -inf = blocked) passed to SDPA, built from positions."""

import torch
import torch.nn.functional as F


def attention_with_sdpa(q, k, v, key_padding_mask=None, causal=False):
    b, lq, lk = q.shape[0], q.shape[-2], k.shape[-2]
    bias = torch.zeros(b, 1, lq, lk, dtype=q.dtype, device=q.device)
    if key_padding_mask is not None:
        bias = bias.masked_fill(key_padding_mask.view(b, 1, 1, lk), float("-inf"))
    if causal:
        qpos = torch.arange(lq, device=q.device).view(lq, 1) + (lk - lq)  # absolute query positions
        kpos = torch.arange(lk, device=q.device).view(1, lk)
        bias = bias.masked_fill(kpos > qpos, float("-inf"))
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
    empty = torch.isinf(bias).all(dim=-1, keepdim=True)  # rows where every key is blocked
    return torch.where(empty, torch.zeros((), dtype=out.dtype, device=out.device), out)
