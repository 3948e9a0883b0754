# blind: correct
import math

import torch


def _proj(x, w, b):
    y = torch.einsum("ble,fe->blf", x, w)
    return y if b is None else y + b


def multi_head_attention(x_q, x_kv, w_q, w_k, w_v, w_o, num_heads, b_q=None, b_k=None, b_v=None, b_o=None,
                         mask=None):
    """Plain implementation in the input dtype; finite fill value, empty rows zeroed afterwards."""
    B, Lq, E = x_q.shape
    if E % num_heads:
        raise ValueError(f"E={E} is not a multiple of num_heads={num_heads}")
    H, D = num_heads, E // num_heads
    Lk = x_kv.shape[1]
    q = _proj(x_q, w_q, b_q).reshape(B, Lq, H, D)
    k = _proj(x_kv, w_k, b_k).reshape(B, Lk, H, D)
    v = _proj(x_kv, w_v, b_v).reshape(B, Lk, H, D)
    s = torch.einsum("bqhd,bkhd->bhqk", q, k) * (1.0 / math.sqrt(D))
    if mask is None:
        allowed = None
    elif mask.dtype == torch.bool:
        allowed = mask
        s = s.masked_fill(~mask, torch.finfo(s.dtype).min)
    else:
        allowed = mask > float("-inf")
        s = (s + mask.to(s.dtype)).clamp_min(torch.finfo(s.dtype).min)
    a = torch.softmax(s, dim=-1)
    if allowed is not None:
        a = a * allowed
        a = a * allowed.any(dim=-1, keepdim=True)
    o = torch.einsum("bhqk,bkhd->bqhd", a, v).reshape(B, Lq, E)
    return _proj(o, w_o, b_o)
