"""Alternative: plain Python loops filling the mask entry by entry."""

import torch


def build_attention_mask(key_padding_mask, lq, causal, q_offset=None):
    b, lk = key_padding_mask.shape
    offset = (lk - lq if q_offset is None else q_offset) if causal else 0
    if causal and not (offset >= 0 and offset + lq <= lk):
        raise ValueError("bad q_offset")
    pads = key_padding_mask.tolist()
    out = [[[[(not pads[n][j]) and (not causal or j <= offset + i) for j in range(lk)] for i in range(lq)]]
           for n in range(b)]
    return torch.tensor(out, dtype=torch.bool, device=key_padding_mask.device).reshape(b, 1, lq, lk)
