"""Reference: BERT's masked-language-model corruption (select p of the tokens; 80% [MASK], 10% random, 10% kept)."""

from __future__ import annotations

import torch


def mlm_mask(input_ids, mask_id, vocab_size, special_mask, generator, p=0.15):
    device = input_ids.device
    shape = input_ids.shape
    # each ordinary token is selected independently with probability p; special tokens never are
    selected = (torch.rand(shape, generator=generator, device=device) < p) & ~special_mask
    # a second, independent draw decides what a selected token becomes
    action = torch.rand(shape, generator=generator, device=device)
    to_mask = selected & (action < 0.8)  # 80%: [MASK]
    to_random = selected & (action >= 0.8) & (action < 0.9)  # 10%: a random token; the last 10% stay as they are
    random_ids = torch.randint(0, vocab_size, shape, generator=generator, device=device, dtype=input_ids.dtype)
    inputs = torch.where(to_mask, torch.full_like(input_ids, mask_id), input_ids)  # a new tensor: input_ids untouched
    inputs = torch.where(to_random, random_ids, inputs)
    # the loss is computed only at selected positions, against the ORIGINAL token; -100 is ignore_index
    labels = torch.where(selected, input_ids, torch.full_like(input_ids, -100))
    return inputs, labels
