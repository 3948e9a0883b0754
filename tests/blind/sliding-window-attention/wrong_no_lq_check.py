# blind: wrong
# bug: Lq > Lk is not rejected (negative query positions, rows with no key silently NaN)
# family: raises
import math

import torch


def sliding_window_attention(q, k, v, window, causal=True):
    Lq, Lk = q.shape[-2], k.shape[-2]
    if window < 1:
        raise ValueError("window must be >= 1")
    pos_q = torch.arange(Lq, device=q.device)[:, None] + (Lk - Lq)
    pos_k = torch.arange(Lk, device=q.device)[None, :]
    if causal:
        allowed = (pos_k <= pos_q) & (pos_k > pos_q - window)
    else:
        allowed = (pos_k - pos_q).abs() < window
    acc = torch.promote_types(q.dtype, torch.float32)
    scores = (q.to(acc) @ k.to(acc).transpose(-2, -1)) / math.sqrt(q.shape[-1])
    scores = scores.masked_fill(~allowed, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return (weights @ v.to(acc)).to(q.dtype)
