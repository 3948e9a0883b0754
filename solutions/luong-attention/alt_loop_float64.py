"""Alternative: per-example loop in float64, softmax over the allowed positions only."""

import torch


def luong_attention(dec_h, enc_out, score, w=None, mask=None):
    if score == "general" and w is None:
        raise ValueError("w is required for 'general'")
    if score == "dot" and dec_h.shape[-1] != enc_out.shape[-1]:
        raise ValueError("size mismatch for 'dot'")
    if score not in ("dot", "general"):
        raise ValueError(score)
    B, L, De = enc_out.shape
    ctx = torch.zeros(B, De, dtype=torch.float64, device=dec_h.device)
    wts = torch.zeros(B, L, dtype=torch.float64, device=dec_h.device)
    for b in range(B):
        h = dec_h[b].double()
        q = h if score == "dot" else h @ w.double()
        keep = torch.ones(L, dtype=torch.bool, device=dec_h.device) if mask is None else mask[b]
        if not keep.any():
            continue
        s = enc_out[b][keep].double() @ q
        a = torch.softmax(s, dim=0)
        wts[b, keep] = a
        ctx[b] = a @ enc_out[b][keep].double()
    return ctx.to(dec_h.dtype), wts.to(dec_h.dtype)
