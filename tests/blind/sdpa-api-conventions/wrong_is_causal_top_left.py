# blind: wrong
# bug: uses is_causal=True, which PyTorch aligns top-left, instead of the bottom-right mask
# family: causal-alignment
import torch
import torch.nn.functional as F


def attention_with_sdpa(q, k, v, key_padding_mask=None, causal=False):
    Lq, Lk = q.shape[-2], k.shape[-2]
    keep = None
    if key_padding_mask is not None:
        keep = ~key_padding_mask[:, None, None, :]  # [B, 1, 1, Lk], True = may attend
    if causal and keep is None:
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    else:
        if causal:
            keep = keep & torch.ones(Lq, Lk, dtype=torch.bool, device=q.device).tril()
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
    if keep is not None:
        any_key = keep.any(dim=-1, keepdim=True)
        out = out.masked_fill(~any_key, 0.0)
    return out
