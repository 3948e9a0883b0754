# blind: wrong
# bug: odd D is not rejected: the middle feature is silently dropped or misaligned
# family: raises
import torch


def apply_rope(x, positions, base=10000.0):
    D = x.shape[-1]
    half = D // 2
    acc = torch.promote_types(x.dtype, torch.float32)
    theta = base ** (-2.0 * torch.arange(half, dtype=torch.float32, device=x.device) / D)
    angles = positions.to(x.device).float()[:, None] * theta[None, :]  # [L, D/2]
    cos, sin = angles.cos(), angles.sin()
    x1, x2 = x[..., :half].to(acc), x[..., half:].to(acc)
    out = torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin), dim=-1)
    return out.to(x.dtype)
