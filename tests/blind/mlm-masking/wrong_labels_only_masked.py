# blind: wrong
# bug: labels only the positions replaced by [MASK]; the random and unchanged 10% + 10% get -100
# family: other
import torch


def mlm_mask(input_ids, mask_id, vocab_size, special_mask, generator, p=0.15):
    dev = input_ids.device
    selected = (torch.rand(input_ids.shape, generator=generator, device=dev) < p) & ~special_mask
    u = torch.rand(input_ids.shape, generator=generator, device=dev)
    random_ids = torch.randint(0, vocab_size, input_ids.shape, generator=generator, device=dev)
    masked = selected & (u < 0.8)
    inputs = torch.where(masked, torch.full_like(input_ids, mask_id), input_ids)
    inputs = torch.where(selected & (u >= 0.8) & (u < 0.9), random_ids, inputs)
    labels = torch.where(masked, input_ids, torch.full_like(input_ids, -100))
    return inputs, labels
