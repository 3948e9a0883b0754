# blind: correct
import torch


def tree_attention_mask(parents):
    """Plain Python: walk each node's parent pointers up to its root."""
    if parents.ndim == 1:
        return _one_tree(parents)
    if parents.ndim == 2:
        if parents.shape[0] == 0:
            return torch.zeros(0, parents.shape[1], parents.shape[1], dtype=torch.bool, device=parents.device)
        return torch.stack([_one_tree(row) for row in parents])
    raise ValueError(f"parents must be 1-D or 2-D, got {parents.ndim}-D")


def _one_tree(parents):
    par = parents.tolist()
    n = len(par)
    for i, p in enumerate(par):
        if not -1 <= p < i:
            raise ValueError(f"parents[{i}] = {p} is not in -1 ... {i - 1}")
    mask = torch.zeros(n, n, dtype=torch.bool)
    for i in range(n):
        j = i
        while j != -1:
            mask[i, j] = True
            j = par[j]
    return mask.to(parents.device)
