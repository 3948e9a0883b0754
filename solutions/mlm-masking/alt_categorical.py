"""Alternative: one categorical draw per token over {keep, mask, random, kept-but-predicted}."""

import torch


def mlm_mask(input_ids, mask_id, vocab_size, special_mask, generator, p=0.15):
    # outcome 0: not selected; 1: [MASK]; 2: random token; 3: selected but unchanged
    weights = torch.tensor([1 - p, 0.8 * p, 0.1 * p, 0.1 * p], dtype=torch.float64, device=input_ids.device)
    flat = torch.multinomial(weights.clamp_min(0), input_ids.numel(), replacement=True, generator=generator)
    outcome = flat.view(input_ids.shape).masked_fill(special_mask, 0)
    rand = torch.randint(vocab_size, input_ids.shape, generator=generator, device=input_ids.device,
                         dtype=input_ids.dtype)
    inputs = torch.where(outcome == 1, mask_id, torch.where(outcome == 2, rand, input_ids))
    labels = torch.where(outcome > 0, input_ids, -100)
    return inputs, labels
