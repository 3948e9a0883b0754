# blind: correct
# family: other
import torch


def extended_attention_mask(attention_mask, dtype):
    """The Hugging Face-like spelling: (1 - mask) * finfo(dtype).min, computed directly in `dtype`."""
    ext = attention_mask[:, None, None, :].to(dtype=dtype)
    return (1.0 - ext) * torch.finfo(dtype).min
