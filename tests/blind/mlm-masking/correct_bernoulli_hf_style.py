# blind: correct
import torch


def mlm_mask(input_ids, mask_id, vocab_size, special_mask, generator, p=0.15):
    """BERT corruption: select with probability p, then 80% [MASK], 10% random id, 10% unchanged."""
    labels = input_ids.clone()
    prob = torch.full(input_ids.shape, p, dtype=torch.float32, device=input_ids.device)
    prob.masked_fill_(special_mask, 0.0)
    selected = torch.bernoulli(prob, generator=generator).bool()
    labels[~selected] = -100

    inputs = input_ids.clone()
    to_mask = torch.bernoulli(torch.full_like(prob, 0.8), generator=generator).bool() & selected
    inputs[to_mask] = mask_id
    # half of the remaining 20% get a random id: 10% overall
    to_random = torch.bernoulli(torch.full_like(prob, 0.5), generator=generator).bool() & selected & ~to_mask
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator, device=input_ids.device,
                               dtype=input_ids.dtype)
    inputs[to_random] = random_ids[to_random]
    return inputs, labels
