# blind: wrong
# bug: computes in float32 and returns float32 whatever the input dtype
# family: dtype
import torch


def luong_attention(dec_h, enc_out, score, w=None, mask=None):
    acc = torch.promote_types(dec_h.dtype, torch.float32)
    if score not in ("dot", "general"):
        raise ValueError(score)
    if score == "general" and w is None:
        raise ValueError("w")
    if score == "dot" and dec_h.shape[-1] != enc_out.shape[-1]:
        raise ValueError("dims")
    q = (dec_h if score == "dot" else dec_h @ w).to(acc)
    enc = enc_out.to(acc)
    e = torch.einsum("be,ble->bl", q, enc)
    if mask is not None:
        e = e.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(torch.softmax(e, dim=-1))
    return torch.einsum("bl,ble->be", weights, enc), weights
