# blind: wrong
# bug: unselected labels are 0 instead of -100, so cross_entropy trains on every position (towards id 0)
# family: other
import torch


def mlm_mask(input_ids, mask_id, vocab_size, special_mask, generator, p=0.15):
    dev = input_ids.device
    selected = (torch.rand(input_ids.shape, generator=generator, device=dev) < p) & ~special_mask
    u = torch.rand(input_ids.shape, generator=generator, device=dev)
    random_ids = torch.randint(0, vocab_size, input_ids.shape, generator=generator, device=dev)
    inputs = torch.where(selected & (u < 0.8), torch.full_like(input_ids, mask_id), input_ids)
    inputs = torch.where(selected & (u >= 0.8) & (u < 0.9), random_ids, inputs)
    labels = torch.where(selected, input_ids, torch.zeros_like(input_ids))
    return inputs, labels
