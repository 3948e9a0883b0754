# blind: wrong
# bug: computes 1 - attention_mask on the raw mask: crashes for a bool mask
# family: other
import torch


def extended_attention_mask(attention_mask, dtype):
    inverted = (1 - attention_mask)[:, None, None, :]
    return inverted.to(dtype) * torch.finfo(dtype).min
