"""Alternative: one query at a time, slicing its keys, softmax in float64."""

import torch


def sliding_window_attention(q, k, v, window, causal=True):
    Lq, Lk, D = q.shape[-2], k.shape[-2], q.shape[-1]
    if window < 1:
        raise ValueError("window must be positive")
    if Lq > Lk:
        raise ValueError("more queries than keys")
    rows = []
    for i in range(Lq):
        p = Lk - Lq + i  # absolute position of query i
        lo = max(0, p - window + 1)
        hi = p + 1 if causal else min(Lk, p + window)
        s = (k[..., lo:hi, :].double() @ q[..., i, :, None].double()).squeeze(-1) / D ** 0.5  # [B, H, n]
        w = torch.softmax(s, dim=-1)
        rows.append((w.unsqueeze(-2) @ v[..., lo:hi, :].double()).squeeze(-2))
    return torch.stack(rows, dim=-2).to(v.dtype)
