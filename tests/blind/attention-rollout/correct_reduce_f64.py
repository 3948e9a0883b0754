# blind: correct
# family: other
from functools import reduce

import torch


def attention_rollout(attentions, add_residual=True):
    """Stack the layers, normalise them all at once, then fold with einsum (float64)."""
    layers = list(attentions)
    if not layers:
        raise ValueError("attentions is empty")
    first = layers[0].shape
    for a in layers:
        if a.dim() != 4 or a.shape != first or a.shape[-1] != a.shape[-2]:
            raise ValueError("every layer must be the same square [B, H, L, L]")
    stack = torch.stack([a.double() for a in layers]).mean(dim=2)  # [N, B, L, L]
    if add_residual:
        stack = stack + torch.eye(first[-1], dtype=torch.float64, device=stack.device)
        stack = stack / stack.sum(dim=-1, keepdim=True)
    result = reduce(lambda acc, a: torch.einsum("bij,bjk->bik", a, acc), list(stack.unbind(0)))
    return result.to(layers[0].dtype)
