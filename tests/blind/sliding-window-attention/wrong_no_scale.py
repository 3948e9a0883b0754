# blind: wrong
# bug: forgets the 1/sqrt(D) scale
# family: scale
import torch


def sliding_window_attention(q, k, v, window, causal=True):
    Lq, Lk = q.shape[-2], k.shape[-2]
    if window < 1:
        raise ValueError("window must be >= 1")
    if Lq > Lk:
        raise ValueError("Lq must not exceed Lk")
    pos_q = torch.arange(Lq, device=q.device)[:, None] + (Lk - Lq)
    pos_k = torch.arange(Lk, device=q.device)[None, :]
    if causal:
        allowed = (pos_k <= pos_q) & (pos_k > pos_q - window)
    else:
        allowed = (pos_k - pos_q).abs() < window
    acc = torch.promote_types(q.dtype, torch.float32)
    scores = (q.to(acc) @ k.to(acc).transpose(-2, -1))
    scores = scores.masked_fill(~allowed, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return (weights @ v.to(acc)).to(q.dtype)
