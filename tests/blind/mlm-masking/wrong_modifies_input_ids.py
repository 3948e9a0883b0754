# blind: wrong
# bug: writes the corruption into input_ids in place and returns it (the caller's batch is modified)
# family: mutation
import torch


def mlm_mask(input_ids, mask_id, vocab_size, special_mask, generator, p=0.15):
    dev = input_ids.device
    labels = input_ids.clone()
    selected = (torch.rand(input_ids.shape, generator=generator, device=dev) < p) & ~special_mask
    labels[~selected] = -100
    u = torch.rand(input_ids.shape, generator=generator, device=dev)
    random_ids = torch.randint(0, vocab_size, input_ids.shape, generator=generator, device=dev)
    input_ids[selected & (u < 0.8)] = mask_id
    rnd = selected & (u >= 0.8) & (u < 0.9)
    input_ids[rnd] = random_ids[rnd]
    return input_ids, labels
