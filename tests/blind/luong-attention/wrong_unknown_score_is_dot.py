# blind: wrong
# bug: any score other than "general" is silently treated as "dot" (no ValueError for an unknown score)
# family: raises
import torch


def luong_attention(dec_h, enc_out, score, w=None, mask=None):
    acc = torch.promote_types(dec_h.dtype, torch.float32)
    if score == "general":
        if w is None:
            raise ValueError("w")
        q = dec_h @ w
    else:
        if dec_h.shape[-1] != enc_out.shape[-1]:
            raise ValueError("dims")
        q = dec_h
    e = torch.einsum("be,ble->bl", q.to(acc), enc_out.to(acc))
    if mask is not None:
        e = e.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(torch.softmax(e, dim=-1))
    context = torch.einsum("bl,ble->be", weights, enc_out.to(acc))
    return context.to(dec_h.dtype), weights.to(dec_h.dtype)
