# blind: wrong
# bug: theta and the angles are computed in x's dtype (float16/bfloat16), so large positions lose their angle
# family: precision
import torch


def apply_rope(x, positions, base=10000.0):
    D = x.shape[-1]
    if D % 2:
        raise ValueError("D must be even")
    half = D // 2
    theta = base ** (-2.0 * torch.arange(half, dtype=x.dtype, device=x.device) / D)
    angles = positions.to(x.device, x.dtype)[:, None] * theta[None, :]  # [L, D/2]
    cos, sin = angles.cos(), angles.sin()
    x1, x2 = x[..., :half], x[..., half:]
    out = torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin), dim=-1)
    return out.to(x.dtype)
