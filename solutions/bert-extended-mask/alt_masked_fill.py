"""Alternative: fill a zeros tensor of the target dtype where the mask is 0."""

import torch


def extended_attention_mask(attention_mask, dtype):
    pad = attention_mask.eq(0)
    out = torch.zeros(pad.shape, dtype=dtype, device=attention_mask.device)
    return out.masked_fill(pad, torch.finfo(dtype).min).unsqueeze(1).unsqueeze(2)
