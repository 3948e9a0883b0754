# blind: wrong
# bug: returns the float32 result without casting back to x's dtype
# family: dtype
import torch


def apply_rope(x, positions, base=10000.0):
    D = x.shape[-1]
    if D % 2:
        raise ValueError("D must be even")
    half = D // 2
    acc = torch.promote_types(x.dtype, torch.float32)
    theta = base ** (-2.0 * torch.arange(half, dtype=torch.float32, device=x.device) / D)
    angles = positions.to(x.device).float()[:, None] * theta[None, :]  # [L, D/2]
    cos, sin = angles.cos(), angles.sin()
    x1, x2 = x[..., :half].to(acc), x[..., half:].to(acc)
    out = torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin), dim=-1)
    return out
