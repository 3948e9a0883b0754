# blind: wrong
# bug: torch.softmax on the -inf-filled scores: a slice with no kept entry is NaN
# family: nan-rows
import torch


def masked_softmax(scores, mask, dim=-1):
    acc = torch.promote_types(scores.dtype, torch.float32)
    x = scores.to(acc).masked_fill(~mask, float("-inf"))
    out = torch.softmax(x, dim=dim)
    return out.to(scores.dtype)
