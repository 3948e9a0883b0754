# blind: wrong
# bug: builds the mask with float32's finfo.min and casts to dtype: -inf in float16/bfloat16
# family: dtype
import torch


def extended_attention_mask(attention_mask, dtype):
    ext = attention_mask[:, None, None, :].float()
    ext = (1.0 - ext) * torch.finfo(torch.float32).min
    return ext.to(dtype)
