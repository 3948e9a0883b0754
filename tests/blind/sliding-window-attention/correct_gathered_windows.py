# blind: correct
import math

import torch


def sliding_window_attention(q, k, v, window, causal=True):
    """Gathers each query's window of keys ([.., Lq, W, D]) instead of building the Lq x Lk band."""
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    Lq, Lk = q.size(-2), k.size(-2)
    if Lq > Lk:
        raise ValueError("more queries than keys")
    p = torch.arange(Lk - Lq, Lk, device=q.device)  # query positions
    offsets = torch.arange(-(window - 1), 1 if causal else window, device=q.device)
    idx = p[:, None] + offsets[None, :]  # [Lq, W] key positions
    valid = (idx >= 0) & (idx < Lk)
    idx = idx.clamp(0, Lk - 1)
    f = torch.float64 if q.dtype == torch.float64 else torch.float32
    kw = k.to(f)[..., idx, :]  # [..., Lq, W, D]
    vw = v.to(f)[..., idx, :]
    s = torch.einsum("...qd,...qwd->...qw", q.to(f), kw) / math.sqrt(q.size(-1))
    s = s.masked_fill(~valid, -math.inf)
    w = torch.softmax(s, dim=-1)
    return torch.einsum("...qw,...qwd->...qd", w, vw).to(q.dtype)
