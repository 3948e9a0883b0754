# blind: wrong
# bug: the random-id draw uses probability 0.1 on the 20% left after masking, so only 2% get a random id
# family: random
import torch


def mlm_mask(input_ids, mask_id, vocab_size, special_mask, generator, p=0.15):
    labels = input_ids.clone()
    prob = torch.full(input_ids.shape, p, device=input_ids.device)
    prob.masked_fill_(special_mask, 0.0)
    selected = torch.bernoulli(prob, generator=generator).bool()
    labels[~selected] = -100
    inputs = input_ids.clone()
    to_mask = torch.bernoulli(torch.full_like(prob, 0.8), generator=generator).bool() & selected
    inputs[to_mask] = mask_id
    to_random = torch.bernoulli(torch.full_like(prob, 0.1), generator=generator).bool() & selected & ~to_mask
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator, device=input_ids.device)
    inputs[to_random] = random_ids[to_random]
    return inputs, labels
