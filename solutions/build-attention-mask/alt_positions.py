"""Alternative: compare position indices explicitly."""

import torch


def build_attention_mask(key_padding_mask, lq, causal, q_offset=None):
    B, Lk = key_padding_mask.shape
    k_pos = torch.arange(Lk, device=key_padding_mask.device)
    real = key_padding_mask.logical_not().view(B, 1, 1, Lk)
    if not causal:
        return real.repeat(1, 1, lq, 1)
    start = Lk - lq if q_offset is None else q_offset
    if start < 0 or start + lq > Lk:
        raise ValueError("queries do not fit inside the keys")
    q_pos = torch.arange(start, start + lq, device=key_padding_mask.device)
    return real & (k_pos[None, :] <= q_pos[:, None])  # [B, 1, Lq, Lk]
