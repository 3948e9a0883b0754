# blind: wrong
# bug: returns float32 whatever `dtype` is (only the fill value uses dtype)
# family: dtype
import torch


def extended_attention_mask(attention_mask, dtype):
    ext = attention_mask[:, None, None, :].float()
    return (1.0 - ext) * torch.finfo(dtype).min
