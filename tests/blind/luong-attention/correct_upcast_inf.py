# blind: correct
import torch


def luong_attention(dec_h, enc_out, score, w=None, mask=None):
    """dec_h [B, Dd], enc_out [B, L, De] -> (context [B, De], weights [B, L])."""
    if score == "dot":
        if dec_h.shape[-1] != enc_out.shape[-1]:
            raise ValueError("dot score needs Dd == De")
        query = dec_h
    elif score == "general":
        if w is None:
            raise ValueError("general score needs w")
        query = dec_h @ w  # h_t^T W -> [B, De]
    else:
        raise ValueError(f"unknown score {score!r}")
    work = torch.float64 if enc_out.dtype == torch.float64 else torch.float32
    keys = enc_out.to(work)
    e = torch.einsum("be,ble->bl", query.to(work), keys)
    if mask is not None:
        e = e.masked_fill(~mask, float("-inf"))
    row_max = e.amax(dim=-1, keepdim=True)
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    p = torch.exp(e - row_max)
    denom = p.sum(dim=-1, keepdim=True)
    weights = torch.where(denom > 0, p / denom.clamp_min(torch.finfo(work).tiny), torch.zeros_like(p))
    context = torch.einsum("bl,ble->be", weights, keys)
    return context.to(dec_h.dtype), weights.to(dec_h.dtype)
