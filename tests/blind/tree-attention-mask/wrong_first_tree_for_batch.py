# blind: wrong
# bug: builds the mask of the first tree and broadcasts it over the batch
# family: broadcasting
import torch


def tree_attention_mask(parents):
    if parents.dim() not in (1, 2):
        raise ValueError("parents must be [N] or [B, N]")
    batched = parents.dim() == 2
    par = parents if batched else parents.unsqueeze(0)
    B, N = par.shape
    idx = torch.arange(N, device=par.device)
    if ((par < -1) | (par >= idx)).any():
        raise ValueError("parents[i] must be in -1 ... i-1")
    mask = torch.eye(N, dtype=torch.bool, device=par.device).repeat(B, 1, 1)
    rows = torch.arange(B, device=par.device)
    for i in range(N):
        p = par[0, i].expand(B)
        has_parent = p >= 0
        inherited = mask[rows, p.clamp_min(0)] & has_parent[:, None]  # parent's row, already complete
        mask[:, i] |= inherited
    return mask if batched else mask[0]
