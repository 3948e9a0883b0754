# blind: correct
# family: other
import torch


def decoder_mask_and_positions(attention_mask):
    """Per row: find the first real token, check the rest is all real, number from there."""
    if attention_mask.ndim != 2:
        raise ValueError("expected a 2-D mask")
    b, length = attention_mask.shape
    dev = attention_mask.device
    idx = torch.arange(length, device=dev)
    positions = torch.ones(b, length, dtype=torch.int64, device=dev)
    key_ok = torch.zeros(b, length, dtype=torch.bool, device=dev)
    for r in range(b):
        row = attention_mask[r] != 0
        n_pad = int((~row).sum())
        if not torch.equal(row, idx >= n_pad):
            raise ValueError(f"row {r} is not left-padded")
        key_ok[r] = row
        positions[r, n_pad:] = torch.arange(length - n_pad, device=dev)
    mask = (idx[None, :] <= idx[:, None])[None, None] & key_ok[:, None, None, :]
    return mask, positions
