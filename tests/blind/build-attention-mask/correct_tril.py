# blind: correct
# family: other
import torch


def build_attention_mask(key_padding_mask, lq, causal, q_offset=None):
    """Padding and causality combined with logical_and; causal part from tril with a diagonal offset."""
    lk = key_padding_mask.shape[-1]
    keep = torch.logical_not(key_padding_mask).unsqueeze(1).unsqueeze(2)
    full = torch.ones(lq, lk, dtype=torch.bool, device=key_padding_mask.device)
    if causal:
        offset = (lk - lq) if q_offset is None else int(q_offset)
        if offset < 0 or offset + lq > lk:
            raise ValueError("the queries do not fit in the keys")
        full = torch.tril(full, diagonal=offset)
    return torch.logical_and(keep, full)
