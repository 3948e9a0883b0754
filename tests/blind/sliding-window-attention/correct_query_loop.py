# blind: correct
import torch


def sliding_window_attention(q, k, v, window, causal=True):
    """One query at a time over the slice of keys it may see; plain arithmetic in the input dtype."""
    if window < 1 or q.shape[-2] > k.shape[-2]:
        raise ValueError("need window >= 1 and Lq <= Lk")
    Lq, Lk = q.shape[-2], k.shape[-2]
    scale = q.shape[-1] ** -0.5
    rows = []
    for i in range(Lq):
        p = Lk - Lq + i
        lo = max(0, p - window + 1)
        hi = p + 1 if causal else min(Lk, p + window)
        s = (q[..., i:i + 1, :] @ k[..., lo:hi, :].transpose(-1, -2)) * scale
        rows.append(torch.softmax(s, dim=-1) @ v[..., lo:hi, :])
    return torch.cat(rows, dim=-2)
