# blind: correct
import math

import torch


def multi_head_attention(x_q, x_kv, w_q, w_k, w_v, w_o, num_heads, b_q=None, b_k=None, b_v=None, b_o=None,
                         mask=None):
    """One head at a time, slicing the weight rows of that head; float64 inside."""
    E = x_q.shape[-1]
    if E % num_heads != 0:
        raise ValueError("num_heads must divide E")
    D = E // num_heads
    f = torch.float64
    xq, xkv = x_q.to(f), x_kv.to(f)

    def bias(b, rows):
        return 0.0 if b is None else b.to(f)[rows]

    heads = []
    for h in range(num_heads):
        rows = slice(h * D, (h + 1) * D)
        q = xq @ w_q.to(f)[rows].T + bias(b_q, rows)  # [B, Lq, D]
        k = xkv @ w_k.to(f)[rows].T + bias(b_k, rows)
        v = xkv @ w_v.to(f)[rows].T + bias(b_v, rows)
        s = q @ k.transpose(1, 2) / math.sqrt(D)  # [B, Lq, Lk]
        if mask is not None:
            m = mask.expand(s.shape[0], num_heads, *s.shape[1:])[:, h]
            if m.dtype == torch.bool:
                s = s.masked_fill(~m, float("-inf"))
            else:
                s = s + m.to(f)
        top = s.max(dim=-1, keepdim=True).values
        top = top.nan_to_num(neginf=0.0)
        e = (s - top).exp()
        z = e.sum(dim=-1, keepdim=True)
        heads.append((e / z.where(z > 0, torch.ones_like(z))) @ v)
    out = torch.cat(heads, dim=-1) @ w_o.to(f).T
    if b_o is not None:
        out = out + b_o.to(f)
    return out.to(x_q.dtype)
