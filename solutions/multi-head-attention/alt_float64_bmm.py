"""Alternative: float64 internally, heads folded into the batch dim, bmm and log-sum-exp softmax."""

import math

import torch


def multi_head_attention(x_q, x_kv, w_q, w_k, w_v, w_o, num_heads, b_q=None, b_k=None, b_v=None, b_o=None,
                         mask=None):
    B, Lq, E = x_q.shape
    Lk = x_kv.shape[1]
    if E % num_heads != 0:
        raise ValueError(f"{E} % {num_heads} != 0")
    H, D = num_heads, E // num_heads

    def lin(x, w, b):
        y = x.double() @ w.double().T
        return y if b is None else y + b.double()

    def heads(x, L):  # [B, L, E] -> [B*H, L, D]
        return x.reshape(B, L, H, D).permute(0, 2, 1, 3).reshape(B * H, L, D)

    q, k, v = heads(lin(x_q, w_q, b_q), Lq), heads(lin(x_kv, w_k, b_k), Lk), heads(lin(x_kv, w_v, b_v), Lk)
    s = torch.bmm(q, k.transpose(1, 2)) / math.sqrt(D)
    if mask is not None:
        bias = mask if mask.dtype != torch.bool else torch.zeros(mask.shape, dtype=torch.float64, device=mask.device).masked_fill(~mask, -math.inf)
        s = s + bias.double().expand(B, H, Lq, Lk).reshape(B * H, Lq, Lk)
    lse = torch.logsumexp(s, dim=-1, keepdim=True)
    p = torch.where(torch.isfinite(lse), torch.exp(s - torch.where(torch.isfinite(lse), lse, 0.0)), 0.0)
    o = torch.bmm(p, v).reshape(B, H, Lq, D).permute(0, 2, 1, 3).reshape(B, Lq, E)
    return lin(o, w_o, b_o).to(x_q.dtype)
