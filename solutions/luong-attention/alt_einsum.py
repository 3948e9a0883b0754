"""Alternative: einsum scores with a bilinear form; identity matrix for 'dot'."""

import torch


def luong_attention(dec_h, enc_out, score, w=None, mask=None):
    if score not in ("dot", "general"):
        raise ValueError("score must be 'dot' or 'general'")
    if score == "dot":
        if dec_h.shape[-1] != enc_out.shape[-1]:
            raise ValueError("dot score needs matching sizes")
        w = torch.eye(dec_h.shape[-1], dtype=dec_h.dtype, device=dec_h.device)
    elif w is None:
        raise ValueError("general score needs w")
    s = torch.einsum("bd,de,ble->bl", dec_h, w, enc_out)
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    ok = torch.isfinite(s).any(-1, keepdim=True)
    a = torch.softmax(s.masked_fill(~ok, 0.0), dim=-1) * ok
    return torch.einsum("bl,ble->be", a, enc_out), a
