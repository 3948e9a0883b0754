# blind: correct
# family: other
import math

import torch


def causal_attention(q, k, v, scale=None):
    """Einsum, explicit positions, float64 inside, manual max-subtracted softmax."""
    b, h, lq, d = q.shape
    lk = k.shape[2]
    if lq > lk:
        raise ValueError("the queries must be the last positions: Lq <= Lk")
    s = (1.0 / math.sqrt(d)) if scale is None else float(scale)
    qd, kd, vd = q.double(), k.double(), v.double()
    scores = torch.einsum("bhqd,bhkd->bhqk", qd, kd) * s
    q_pos = torch.arange(lq, device=q.device) + (lk - lq)
    k_pos = torch.arange(lk, device=q.device)
    allowed = k_pos[None, :] <= q_pos[:, None]
    scores = torch.where(allowed, scores, torch.tensor(float("-inf"), dtype=torch.float64, device=q.device))
    m = scores.amax(dim=-1, keepdim=True)
    p = torch.exp(scores - m)
    p = p / p.sum(dim=-1, keepdim=True)
    return torch.einsum("bhqk,bhkv->bhqv", p, vd).to(q.dtype)
