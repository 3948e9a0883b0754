# blind: wrong
# bug: when causal=True the padding mask is replaced by the causal one instead of combined with it
# family: missing-term
import torch
import torch.nn.functional as F


def attention_with_sdpa(q, k, v, key_padding_mask=None, causal=False):
    Lq, Lk = q.shape[-2], k.shape[-2]
    keep = None
    if key_padding_mask is not None:
        keep = ~key_padding_mask[:, None, None, :]  # [B, 1, 1, Lk], True = may attend
    if causal:
        tri = torch.ones(Lq, Lk, dtype=torch.bool, device=q.device).tril(diagonal=Lk - Lq)
        keep = tri
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
    if keep is not None:
        any_key = keep.any(dim=-1, keepdim=True)
        out = out.masked_fill(~any_key, 0.0)
    return out
