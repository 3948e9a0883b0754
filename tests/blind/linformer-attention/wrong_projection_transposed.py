# blind: wrong
# bug: reshapes e_proj [k, L] to [L, k] (a reshape, not a transpose) before projecting: scrambles E and F
# family: transpose
import math

import torch


def linformer_attention(q, k, v, e_proj, f_proj):
    """q, k [B, H, L, D], v [B, H, L, Dv], e_proj and f_proj [k, L] -> [B, H, L, Dv]."""
    length = k.shape[2]
    if e_proj.dim() != 2 or e_proj.shape != f_proj.shape or e_proj.shape[1] != length:
        raise ValueError(f"e_proj {tuple(e_proj.shape)} and f_proj {tuple(f_proj.shape)} must both be [k, {length}]")
    work = torch.float32 if q.dtype in (torch.float16, torch.bfloat16) else q.dtype
    e_t = e_proj.to(work).reshape(e_proj.shape[1], e_proj.shape[0])
    f_t = f_proj.to(work).reshape(f_proj.shape[1], f_proj.shape[0])
    k_low = torch.einsum("lp,bhld->bhpd", e_t, k.to(work))
    v_low = torch.einsum("lp,bhle->bhpe", f_t, v.to(work))
    scores = torch.einsum("bhld,bhpd->bhlp", q.to(work), k_low) / math.sqrt(q.shape[-1])
    return torch.einsum("bhlp,bhpe->bhle", scores.softmax(dim=-1), v_low).to(q.dtype)
