# blind: wrong
# bug: hard-codes -1e9 and casts: overflows to -inf in float16
# family: mask-fill
import torch


def extended_attention_mask(attention_mask, dtype):
    ext = attention_mask[:, None, None, :].to(torch.float32)
    return ((1.0 - ext) * -1e9).to(dtype)
