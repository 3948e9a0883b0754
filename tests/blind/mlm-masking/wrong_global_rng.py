# blind: wrong
# bug: draws from the global RNG (torch.rand without generator=), so the generator's seed does not reproduce it
# family: random
import torch


def mlm_mask(input_ids, mask_id, vocab_size, special_mask, generator, p=0.15):
    dev = input_ids.device
    selected = (torch.rand(input_ids.shape, device=dev) < p) & ~special_mask
    u = torch.rand(input_ids.shape, device=dev)
    random_ids = torch.randint(0, vocab_size, input_ids.shape, device=dev)
    inputs = torch.where(selected & (u < 0.8), torch.full_like(input_ids, mask_id), input_ids)
    inputs = torch.where(selected & (u >= 0.8) & (u < 0.9), random_ids, inputs)
    labels = torch.where(selected, input_ids, torch.full_like(input_ids, -100))
    return inputs, labels
