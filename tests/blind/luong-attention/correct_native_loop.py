# blind: correct
import torch


def luong_attention(dec_h, enc_out, score, w=None, mask=None):
    """Per-example loop in the input dtype (a plain implementation)."""
    if score == "general":
        if w is None:
            raise ValueError("general needs w")
    elif score == "dot":
        if dec_h.shape[1] != enc_out.shape[2]:
            raise ValueError("dot needs Dd == De")
    else:
        raise ValueError(score)
    B, L, De = enc_out.shape
    contexts, all_weights = [], []
    for b in range(B):
        h = dec_h[b]
        if score == "general":
            h = h @ w
        e = enc_out[b] @ h  # [L]
        keep = torch.ones(L, dtype=torch.bool, device=e.device) if mask is None else mask[b]
        weights = torch.zeros_like(e)
        if keep.any():
            ek = e[keep]
            pk = torch.exp(ek - ek.max())
            weights[keep] = pk / pk.sum()
        contexts.append(weights @ enc_out[b])
        all_weights.append(weights)
    return torch.stack(contexts), torch.stack(all_weights)
