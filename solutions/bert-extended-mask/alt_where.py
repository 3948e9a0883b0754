"""Alternative: torch.where between two scalars, reshaped with view."""

import torch


def extended_attention_mask(attention_mask, dtype):
    b, length = attention_mask.shape
    zero = torch.tensor(0.0, dtype=dtype, device=attention_mask.device)
    low = torch.tensor(torch.finfo(dtype).min, dtype=dtype, device=attention_mask.device)
    return torch.where(attention_mask.bool(), zero, low).view(b, 1, 1, length)
