# blind: correct
# family: vectorised
import torch


def prefix_lm_mask(prefix_lengths, seq_len, lengths=None):
    prefix = torch.as_tensor(prefix_lengths)
    if prefix.dim() != 1:
        raise ValueError(f"prefix_lengths must be 1-D [B], got shape {tuple(prefix.shape)}")
    if lengths is None:
        n = torch.full_like(prefix, seq_len)
    else:
        n = torch.as_tensor(lengths, device=prefix.device)
        if n.shape != prefix.shape:
            raise ValueError(f"lengths shape {tuple(n.shape)} != prefix_lengths shape {tuple(prefix.shape)}")
    if ((prefix < 0) | (prefix > n) | (n > seq_len)).any():
        raise ValueError("need 0 <= prefix_lengths <= lengths <= seq_len for every row")
    pos = torch.arange(seq_len, device=prefix.device)
    i = pos[None, :, None]
    j = pos[None, None, :]
    p = prefix[:, None, None]
    real_key = j < n[:, None, None]
    mask = real_key & ((j <= i) | (j < p))
    return mask[:, None]
