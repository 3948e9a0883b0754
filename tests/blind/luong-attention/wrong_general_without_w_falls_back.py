# blind: wrong
# bug: "general" without w quietly falls back to the dot score instead of raising
# family: raises
import torch


def luong_attention(dec_h, enc_out, score, w=None, mask=None):
    acc = torch.promote_types(dec_h.dtype, torch.float32)
    if score not in ("dot", "general"):
        raise ValueError(score)
    q = dec_h @ w if (score == "general" and w is not None) else dec_h
    if q.shape[-1] != enc_out.shape[-1]:
        raise ValueError("dims")
    e = torch.einsum("be,ble->bl", q.to(acc), enc_out.to(acc))
    if mask is not None:
        e = e.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(torch.softmax(e, dim=-1))
    context = torch.einsum("bl,ble->be", weights, enc_out.to(acc))
    return context.to(dec_h.dtype), weights.to(dec_h.dtype)
