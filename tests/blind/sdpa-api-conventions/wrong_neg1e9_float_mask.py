# blind: wrong
# bug: additive float mask filled with -1e9 in q's dtype: overflows float16, and a row with no key averages all values
# family: mask-fill
import torch
import torch.nn.functional as F


def attention_with_sdpa(q, k, v, key_padding_mask=None, causal=False):
    Lq, Lk = q.shape[-2], k.shape[-2]
    keep = None
    if key_padding_mask is not None:
        keep = ~key_padding_mask[:, None, None, :]  # [B, 1, 1, Lk], True = may attend
    if causal:
        tri = torch.ones(Lq, Lk, dtype=torch.bool, device=q.device).tril(diagonal=Lk - Lq)
        keep = tri if keep is None else keep & tri
    if keep is not None:
        keep = torch.zeros(keep.shape, dtype=q.dtype, device=q.device).masked_fill(~keep, -1e9)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
    return out
