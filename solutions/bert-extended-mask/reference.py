"""Reference: BERT's attention_mask [B, L] (1 = token) -> additive mask [B, 1, 1, L] in `dtype`."""

from __future__ import annotations

import torch


def extended_attention_mask(attention_mask, dtype):
    keep = attention_mask != 0  # works for int and bool masks alike (1 - bool raises in torch)
    # the most negative finite value of the target dtype: never -inf, so a row of padding stays finite
    blocked = torch.finfo(dtype).min
    out = (~keep).to(dtype) * blocked  # 1 * min at padding, 0 * min = 0 at tokens (min is finite)
    return out[:, None, None, :]  # [B, 1, 1, L]: broadcasts over heads and queries, varies over keys
