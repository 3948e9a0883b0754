# blind: wrong
# bug: the selection rate is hard-coded to 0.15, ignoring the p argument
# family: other
import torch


def mlm_mask(input_ids, mask_id, vocab_size, special_mask, generator, p=0.15):
    dev = input_ids.device
    selected = (torch.rand(input_ids.shape, generator=generator, device=dev) < 0.15) & ~special_mask
    u = torch.rand(input_ids.shape, generator=generator, device=dev)
    random_ids = torch.randint(0, vocab_size, input_ids.shape, generator=generator, device=dev)
    inputs = torch.where(selected & (u < 0.8), torch.full_like(input_ids, mask_id), input_ids)
    inputs = torch.where(selected & (u >= 0.8) & (u < 0.9), random_ids, inputs)
    labels = torch.where(selected, input_ids, torch.full_like(input_ids, -100))
    return inputs, labels
