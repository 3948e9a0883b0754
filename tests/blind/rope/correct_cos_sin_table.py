# blind: correct
import torch


def _table(n_positions, dim, base, device):
    """cos/sin cache [n_positions, dim // 2] in float32, row p = angles of position p."""
    theta = base ** (-torch.arange(dim // 2, dtype=torch.float32, device=device) * 2 / dim)
    angles = torch.outer(torch.arange(n_positions, dtype=torch.float32, device=device), theta)
    return angles.cos(), angles.sin()


def apply_rope(x, positions, base=10000.0):
    d = x.size(-1)
    if d % 2 != 0:
        raise ValueError("odd head dim")
    pos = positions.to(device=x.device, dtype=torch.long)
    cos_cache, sin_cache = _table(int(pos.max()) + 1, d, base, x.device)
    cos, sin = cos_cache[pos], sin_cache[pos]  # [L, D/2], looked up by position
    half = d // 2
    acc = torch.promote_types(x.dtype, torch.float32)
    x1, x2 = x[..., :half].to(acc), x[..., half:].to(acc)
    out = torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin), dim=-1)
    return out.to(x.dtype)
