# blind: wrong
# bug: masked_fill(-1e9) in the input dtype: overflows float16, and an empty row gets uniform weights
# family: mask-fill
import torch


def luong_attention(dec_h, enc_out, score, w=None, mask=None):
    if score not in ("dot", "general"):
        raise ValueError(score)
    if score == "general" and w is None:
        raise ValueError("w")
    if score == "dot" and dec_h.shape[-1] != enc_out.shape[-1]:
        raise ValueError("dims")
    q = dec_h if score == "dot" else dec_h @ w
    e = torch.bmm(enc_out, q.unsqueeze(-1)).squeeze(-1)
    if mask is not None:
        e = e.masked_fill(~mask, -1e9)
    weights = torch.softmax(e, dim=-1)
    context = torch.bmm(weights.unsqueeze(1), enc_out).squeeze(1)
    return context, weights
