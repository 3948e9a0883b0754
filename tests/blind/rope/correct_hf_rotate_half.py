# blind: correct
import torch


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def apply_rope(x, positions, base=10000.0):
    """Hugging Face Llama style: float32 inv_freq and angles, cos/sin cast to x's dtype, rotate_half."""
    D = x.shape[-1]
    if D % 2:
        raise ValueError(f"RoPE needs an even head dim, got {D}")
    inv_freq = 1.0 / (base ** (torch.arange(0, D, 2, dtype=torch.int64, device=x.device).float() / D))
    freqs = positions.to(device=x.device, dtype=torch.float32)[:, None] * inv_freq[None, :]  # [L, D/2]
    emb = torch.cat((freqs, freqs), dim=-1)  # [L, D]
    cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
    return x * cos + rotate_half(x) * sin
