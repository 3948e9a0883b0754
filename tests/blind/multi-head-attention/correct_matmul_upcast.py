# blind: correct
import math

import torch
import torch.nn.functional as F


def multi_head_attention(x_q, x_kv, w_q, w_k, w_v, w_o, num_heads, b_q=None, b_k=None, b_v=None, b_o=None,
                         mask=None):
    B, Lq, E = x_q.shape
    Lk = x_kv.shape[1]
    if E % num_heads != 0:
        raise ValueError("E must be divisible by num_heads")
    H = num_heads
    D = E // H
    acc = torch.promote_types(x_q.dtype, torch.float32)
    q = F.linear(x_q.to(acc), w_q.to(acc), None if b_q is None else b_q.to(acc))
    k = F.linear(x_kv.to(acc), w_k.to(acc), None if b_k is None else b_k.to(acc))
    v = F.linear(x_kv.to(acc), w_v.to(acc), None if b_v is None else b_v.to(acc))
    q = q.view(B, Lq, H, D).transpose(1, 2)
    k = k.view(B, Lk, H, D).transpose(1, 2)
    v = v.view(B, Lk, H, D).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(D)
    if mask is not None:
        if mask.dtype == torch.bool:
            scores = scores.masked_fill(~mask, float("-inf"))
        else:
            scores = scores + mask.to(acc)
    row_max = scores.amax(dim=-1, keepdim=True)
    row_max = torch.where(torch.isinf(row_max), torch.zeros_like(row_max), row_max)
    p = torch.exp(scores - row_max)
    denom = p.sum(dim=-1, keepdim=True)
    attn = torch.where(denom > 0, p / denom, torch.zeros_like(p))
    out = attn @ v
    out = out.transpose(1, 2).reshape(B, Lq, E)
    out = F.linear(out, w_o.to(acc), None if b_o is None else b_o.to(acc))
    return out.to(x_q.dtype)
