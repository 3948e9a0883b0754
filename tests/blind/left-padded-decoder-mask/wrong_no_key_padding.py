# blind: wrong
# bug: causal mask only: pad keys stay visible
# family: missing-term
import torch


def decoder_mask_and_positions(attention_mask):
    """attention_mask [B, L] (1 = token, 0 = pad, LEFT-padded) -> (mask [B, 1, L, L] bool, position_ids [B, L])."""
    if attention_mask.dim() != 2:
        raise ValueError(f"attention_mask must be [B, L], got {tuple(attention_mask.shape)}")
    real = attention_mask.bool()
    if (real[:, :-1] & ~real[:, 1:]).any():
        raise ValueError("attention_mask is not left-padded (a 0 after a 1)")
    length = real.shape[1]
    causal = torch.ones(length, length, dtype=torch.bool, device=real.device).tril()
    mask = causal[None, None].expand(real.shape[0], 1, length, length)
    positions = real.long().cumsum(dim=-1) - 1
    positions = positions.masked_fill(~real, 1)
    return mask, positions
