# blind: wrong
# bug: polarity inverted: finfo.min lands on the real tokens and 0 on the padding
# family: mask-polarity
import torch


def extended_attention_mask(attention_mask, dtype):
    ext = attention_mask[:, None, None, :].to(dtype)
    return ext * torch.finfo(dtype).min
