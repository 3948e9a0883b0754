"""Alternative: the chained-Bernoulli form (select, then 0.8 of those, then half of the rest)."""

import torch


def mlm_mask(input_ids, mask_id, vocab_size, special_mask, generator, p=0.15):
    probs = torch.full(input_ids.shape, p, dtype=torch.float32, device=input_ids.device)
    probs = probs.masked_fill(special_mask, 0.0)
    selected = torch.bernoulli(probs, generator=generator).bool()
    labels = input_ids.clone()
    labels[~selected] = -100
    inputs = input_ids.clone()
    replaced = torch.bernoulli(torch.full_like(probs, 0.8), generator=generator).bool() & selected
    inputs[replaced] = mask_id
    randomised = torch.bernoulli(torch.full_like(probs, 0.5), generator=generator).bool() & selected & ~replaced
    inputs[randomised] = torch.randint(vocab_size, (int(randomised.sum()),), generator=generator,
                                       device=input_ids.device, dtype=input_ids.dtype)
    return inputs, labels
