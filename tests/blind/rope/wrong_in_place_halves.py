# blind: wrong
# bug: rotates x in place through its half views: x is modified and the second half uses the already rotated first half
# family: mutation
import torch


def apply_rope(x, positions, base=10000.0):
    D = x.shape[-1]
    if D % 2:
        raise ValueError("D must be even")
    half = D // 2
    theta = base ** (-2.0 * torch.arange(half, dtype=torch.float32, device=x.device) / D)
    angles = positions.to(x.device).float()[:, None] * theta[None, :]  # [L, D/2]
    cos, sin = angles.cos(), angles.sin()
    x1, x2 = x[..., :half], x[..., half:]
    x1.copy_(x1 * cos - x2 * sin)
    x2.copy_(x2 * cos + x1 * sin)
    return x
