# blind: wrong
# bug: mixes layouts: pairs (i, i + D/2) but the angle table is repeat_interleave(2) (Meta order), so feature i gets theta_{i//2}
# family: rope-layout
import torch


def apply_rope(x, positions, base=10000.0):
    D = x.shape[-1]
    if D % 2:
        raise ValueError("D must be even")
    half = D // 2
    acc = torch.promote_types(x.dtype, torch.float32)
    theta = base ** (-2.0 * torch.arange(half, dtype=torch.float32, device=x.device) / D)
    angles = positions.to(x.device).float()[:, None] * theta[None, :]  # [L, D/2]
    emb = angles.repeat_interleave(2, dim=-1)  # [L, D]
    cos, sin = emb.cos(), emb.sin()
    x1, x2 = x[..., :half].to(acc), x[..., half:].to(acc)
    rotated = torch.cat((-x2, x1), dim=-1)
    out = x.to(acc) * cos + rotated * sin
    return out.to(x.dtype)
