# blind: correct
# family: other
import torch


def extended_attention_mask(attention_mask, dtype):
    """attention_mask int/bool [B, L] (1 = token) -> float [B, 1, 1, L]: 0 at tokens, finfo(dtype).min at padding."""
    keep = attention_mask.bool()[:, None, None, :]
    out = torch.zeros(keep.shape, dtype=dtype, device=attention_mask.device)
    return out.masked_fill(~keep, torch.finfo(dtype).min)
