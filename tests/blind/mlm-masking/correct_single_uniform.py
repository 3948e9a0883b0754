# blind: correct
import torch


def mlm_mask(input_ids, mask_id, vocab_size, special_mask, generator, p=0.15):
    dev = input_ids.device
    u_select = torch.rand(input_ids.shape, generator=generator, device=dev)
    selected = (u_select < p) & ~special_mask
    u_action = torch.rand(input_ids.shape, generator=generator, device=dev)
    random_ids = torch.randint(0, vocab_size, input_ids.shape, generator=generator, device=dev)
    inputs = torch.where(selected & (u_action < 0.8), torch.full_like(input_ids, mask_id), input_ids)
    inputs = torch.where(selected & (u_action >= 0.8) & (u_action < 0.9), random_ids, inputs)
    labels = torch.where(selected, input_ids, torch.full_like(input_ids, -100))
    return inputs, labels
