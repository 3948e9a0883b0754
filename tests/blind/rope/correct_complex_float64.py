# blind: correct
import torch


def apply_rope(x, positions, base=10000.0):
    """Half-split pairs as complex numbers x_i + i*x_{i+D/2}, multiplied by exp(i p theta), float64 inside."""
    D = x.shape[-1]
    if D % 2 == 1:
        raise ValueError("D must be even")
    h = D // 2
    i = torch.arange(h, dtype=torch.float64, device=x.device)
    theta = torch.pow(torch.tensor(float(base), dtype=torch.float64), -2.0 * i / D)
    angle = positions.to(x.device, torch.float64).unsqueeze(-1) * theta
    rot = torch.polar(torch.ones_like(angle), angle)  # [L, D/2] complex128
    z = torch.complex(x[..., :h].double(), x[..., h:].double()) * rot
    return torch.cat((z.real, z.imag), dim=-1).to(x.dtype)
