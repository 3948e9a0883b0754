# blind: correct
import torch

_ACTION_PROBS = (0.8, 0.1, 0.1)  # [MASK], random id, unchanged


def mlm_mask(input_ids, mask_id, vocab_size, special_mask, generator, p=0.15):
    """Selection by Bernoulli, then one categorical draw per selected position (drawn only there)."""
    flat_ids = input_ids.reshape(-1)
    candidates = (~special_mask).reshape(-1)
    draws = torch.rand(flat_ids.numel(), generator=generator, device=flat_ids.device)
    pos = torch.nonzero(candidates & (draws < p)).squeeze(1)
    inputs = flat_ids.clone()
    labels = torch.full_like(flat_ids, -100)
    labels[pos] = flat_ids[pos]
    if pos.numel():
        probs = torch.tensor(_ACTION_PROBS, device=flat_ids.device)
        action = torch.multinomial(probs, pos.numel(), replacement=True, generator=generator)
        rand_ids = torch.randint(vocab_size, (pos.numel(),), generator=generator, device=flat_ids.device)
        inputs[pos[action == 0]] = mask_id
        inputs[pos[action == 1]] = rand_ids[action == 1]
    return inputs.view_as(input_ids), labels.view_as(input_ids)
