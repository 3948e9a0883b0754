# blind: wrong
# bug: fills padding with -inf instead of finfo(dtype).min
# family: mask-fill
import torch


def extended_attention_mask(attention_mask, dtype):
    keep = attention_mask.bool()[:, None, None, :]
    out = torch.zeros(keep.shape, dtype=dtype, device=attention_mask.device)
    return out.masked_fill(~keep, float("-inf"))
