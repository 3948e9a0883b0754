# blind: wrong
# bug: selects exactly round(p * n) tokens per row (right mean, no variance) instead of independent draws
# family: random
import torch


def mlm_mask(input_ids, mask_id, vocab_size, special_mask, generator, p=0.15):
    dev = input_ids.device
    B, L = input_ids.shape
    scores = torch.rand(B, L, generator=generator, device=dev).masked_fill(special_mask, 2.0)
    order = scores.argsort(dim=1)
    n_select = torch.round((~special_mask).sum(dim=1).float() * p).long()
    rank = torch.empty_like(order)
    rank.scatter_(1, order, torch.arange(L, device=dev).expand(B, L).contiguous())
    selected = rank < n_select[:, None]
    u = torch.rand(B, L, generator=generator, device=dev)
    random_ids = torch.randint(0, vocab_size, (B, L), generator=generator, device=dev)
    inputs = torch.where(selected & (u < 0.8), torch.full_like(input_ids, mask_id), input_ids)
    inputs = torch.where(selected & (u >= 0.8) & (u < 0.9), random_ids, inputs)
    labels = torch.where(selected, input_ids, torch.full_like(input_ids, -100))
    return inputs, labels
