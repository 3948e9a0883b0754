# blind: wrong
# bug: lengths accepted but never applied: pad keys stay visible
# family: missing-term
import torch


def prefix_lm_mask(prefix_lengths, seq_len, lengths=None):
    if prefix_lengths.dim() != 1:
        raise ValueError("prefix_lengths: expected shape [B]")
    real_len = prefix_lengths.new_full(prefix_lengths.shape, seq_len) if lengths is None else lengths
    if real_len.shape != prefix_lengths.shape:
        raise ValueError("lengths: expected the same shape [B] as prefix_lengths")
    if bool((prefix_lengths < 0).any()) or bool((prefix_lengths > real_len).any()) or bool((real_len > seq_len).any()):
        raise ValueError("prefix_lengths and lengths must satisfy 0 <= P <= n <= seq_len")
    dev = prefix_lengths.device
    cols = torch.arange(seq_len, device=dev)
    causal = torch.ones(seq_len, seq_len, dtype=torch.bool, device=dev).tril()  # [L, L]
    in_prefix = cols[None, :] < prefix_lengths[:, None]  # [B, L] over keys
    real = cols[None, :] < real_len[:, None]  # [B, L] over keys
    mask = (causal[None] | in_prefix[:, None, :]).expand(len(real), -1, -1)
    return mask.unsqueeze(1)
