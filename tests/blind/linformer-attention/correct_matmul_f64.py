# blind: correct
# family: other
import math


def linformer_attention(q, k, v, e_proj, f_proj):
    """Broadcast matmuls ([k, L] @ [B, H, L, D]), float64 inside, manual softmax."""
    if tuple(e_proj.shape) != tuple(f_proj.shape) or len(e_proj.shape) != 2:
        raise ValueError("e_proj and f_proj must have the same [k, L] shape")
    if e_proj.shape[1] != k.shape[-2]:
        raise ValueError("projection length does not match the sequence length")
    kp = e_proj.double() @ k.double()
    vp = f_proj.double() @ v.double()
    s = q.double() @ kp.transpose(-1, -2) * (1.0 / math.sqrt(q.shape[-1]))
    s = s - s.max(dim=-1, keepdim=True).values
    w = s.exp()
    w = w / w.sum(dim=-1, keepdim=True)
    return (w @ vp).to(q.dtype)
