"""Alternative: one head at a time, slicing each projection's rows; einsum; heads concatenated."""

import torch


def multi_head_attention(x_q, x_kv, w_q, w_k, w_v, w_o, num_heads, b_q=None, b_k=None, b_v=None, b_o=None,
                         mask=None):
    e = x_q.shape[-1]
    if e % num_heads:
        raise ValueError("embedding dim must be divisible by the number of heads")
    d = e // num_heads

    def project(x, w, b, rows):
        y = torch.einsum("ble,fe->blf", x, w[rows])
        return y if b is None else y + b[rows]

    heads = []
    for h in range(num_heads):
        rows = slice(h * d, (h + 1) * d)
        q, k, v = project(x_q, w_q, b_q, rows), project(x_kv, w_k, b_k, rows), project(x_kv, w_v, b_v, rows)
        logits = torch.einsum("bqd,bkd->bqk", q, k) / d**0.5
        if mask is not None:
            m = mask.expand(x_q.shape[0], num_heads, q.shape[1], k.shape[1])[:, h]
            logits = logits.masked_fill(~m, float("-inf")) if m.dtype == torch.bool else logits + m
        any_key = torch.isfinite(logits).any(-1, keepdim=True)
        probs = torch.softmax(logits.masked_fill(~any_key, 0.0), dim=-1) * any_key
        heads.append(probs @ v)
    out = torch.cat(heads, dim=-1) @ w_o.T
    return out if b_o is None else out + b_o
