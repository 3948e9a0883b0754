# blind: correct
import torch


def tree_attention_mask(parents):
    """Ancestor closure by pointer jumping: after k rounds every node knows its ancestors up to 2^k levels up."""
    if parents.dim() not in (1, 2):
        raise ValueError("parents must have 1 or 2 dims")
    squeeze = parents.dim() == 1
    par = parents.reshape(-1, parents.shape[-1]).long()
    n = par.shape[-1]
    pos = torch.arange(n, device=par.device)
    if bool(((par < -1) | (par >= pos)).any()):
        raise ValueError("every parents[i] must lie in -1 .. i-1")
    # a virtual node n (the parent of every root) keeps -1 out of the indexing
    jump = torch.where(par < 0, torch.full_like(par, n), par)
    jump = torch.cat([jump, torch.full_like(jump[:, :1], n)], dim=1)  # [B, n + 1]
    reach = torch.eye(n + 1, dtype=torch.bool, device=par.device).expand(par.shape[0], -1, -1).clone()
    reach |= torch.nn.functional.one_hot(jump, n + 1).bool()
    steps = 1
    while steps < n:
        # reach[i, j] |= reach[i, k] and reach[k, j]  (boolean matrix product)
        reach = reach | (reach.to(torch.int32) @ reach.to(torch.int32) > 0)
        steps *= 2
    mask = reach[:, :n, :n]
    return mask[0] if squeeze else mask
