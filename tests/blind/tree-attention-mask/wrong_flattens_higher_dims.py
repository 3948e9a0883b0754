# blind: wrong
# bug: reshapes any input to [-1, N] instead of rejecting 3-D parents
# family: raises
import torch


def tree_attention_mask(parents):
    if parents.dim() == 0:
        raise ValueError("parents must be [N] or [B, N]")
    batched = parents.dim() >= 2
    par = parents.reshape(-1, parents.shape[-1])
    B, N = par.shape
    idx = torch.arange(N, device=par.device)
    if ((par < -1) | (par >= idx)).any():
        raise ValueError("parents[i] must be in -1 ... i-1")
    mask = torch.eye(N, dtype=torch.bool, device=par.device).repeat(B, 1, 1)
    rows = torch.arange(B, device=par.device)
    for i in range(N):
        p = par[:, i]
        has_parent = p >= 0
        inherited = mask[rows, p.clamp_min(0)] & has_parent[:, None]  # parent's row, already complete
        mask[:, i] |= inherited
    return mask if batched else mask[0]
