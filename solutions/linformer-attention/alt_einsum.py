"""Alternative: everything as einsum, softmax via explicit max subtraction."""

import torch


def linformer_attention(q, k, v, e_proj, f_proj):
    L = k.shape[-2]
    if tuple(e_proj.shape) != tuple(f_proj.shape) or e_proj.shape[-1] != L:
        raise ValueError("projections must be [k, L]")
    kp = torch.einsum("pl,bhld->bhpd", e_proj, k)
    vp = torch.einsum("pl,bhld->bhpd", f_proj, v)
    s = torch.einsum("bhqd,bhpd->bhqp", q, kp) * q.shape[-1] ** -0.5
    s = s - s.amax(-1, keepdim=True)
    w = s.exp()
    w = w / w.sum(-1, keepdim=True)
    return torch.einsum("bhqp,bhpd->bhqd", w, vp)
