# blind: correct
import torch


def luong_attention(dec_h, enc_out, score, w=None, mask=None):
    acc = torch.promote_types(dec_h.dtype, torch.float32)
    if score not in ("dot", "general"):
        raise ValueError("score must be 'dot' or 'general'")
    if score == "general" and w is None:
        raise ValueError("'general' needs w [Dd, De]")
    if score == "dot" and dec_h.size(1) != enc_out.size(2):
        raise ValueError("'dot' needs matching decoder and encoder sizes")
    h = dec_h.to(acc)
    enc = enc_out.to(acc)
    if score == "general":
        # W h_s for every s: [B, L, Dd], then dot with h_t
        enc_proj = enc @ w.to(acc).T
    else:
        enc_proj = enc
    scores = torch.bmm(enc_proj, h.unsqueeze(-1)).squeeze(-1)  # [B, L]
    if mask is None:
        weights = torch.softmax(scores, dim=-1)
    else:
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
        weights = torch.softmax(scores, dim=-1) * mask
        weights = weights * mask.any(dim=-1, keepdim=True)
    context = torch.bmm(weights.unsqueeze(1), enc).squeeze(1)
    return context.to(dec_h.dtype), weights.to(dec_h.dtype)
