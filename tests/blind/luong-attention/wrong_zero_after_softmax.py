# blind: wrong
# bug: zeroes the masked weights after an unmasked softmax without renormalising (weights no longer sum to 1)
# family: mask-fill
import torch


def luong_attention(dec_h, enc_out, score, w=None, mask=None):
    acc = torch.promote_types(dec_h.dtype, torch.float32)
    if score not in ("dot", "general"):
        raise ValueError(score)
    if score == "general" and w is None:
        raise ValueError("w")
    if score == "dot" and dec_h.shape[-1] != enc_out.shape[-1]:
        raise ValueError("dims")
    q = dec_h if score == "dot" else dec_h @ w
    e = torch.einsum("be,ble->bl", q.to(acc), enc_out.to(acc))
    weights = torch.softmax(e, dim=-1)
    if mask is not None:
        weights = weights * mask
    context = torch.einsum("bl,ble->be", weights, enc_out.to(acc))
    return context.to(dec_h.dtype), weights.to(dec_h.dtype)
