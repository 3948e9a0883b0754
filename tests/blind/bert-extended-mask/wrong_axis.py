# blind: wrong
# bug: unsqueezes to [B, 1, L, 1] (a query mask) instead of [B, 1, 1, L]
# family: broadcasting
import torch


def extended_attention_mask(attention_mask, dtype):
    ext = attention_mask[:, None, :, None].to(dtype)
    return (1.0 - ext) * torch.finfo(dtype).min
