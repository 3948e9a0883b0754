# blind: wrong
# bug: validation misses P > n (only checks 0 <= P and n <= L)
# family: edge-case (validation)
import torch


def prefix_lm_mask(prefix_lengths, seq_len, lengths=None):
    if prefix_lengths.ndim != 1:
        raise ValueError("prefix_lengths must be 1-D")
    if lengths is not None and lengths.shape != prefix_lengths.shape:
        raise ValueError("lengths must have the shape of prefix_lengths")
    bsz = prefix_lengths.shape[0]
    mask = torch.zeros(bsz, 1, seq_len, seq_len, dtype=torch.bool, device=prefix_lengths.device)
    for b in range(bsz):
        p = int(prefix_lengths[b])
        n = seq_len if lengths is None else int(lengths[b])
        if p < 0 or n > seq_len:
            raise ValueError(f"row {b}: need 0 <= P ({p}) <= n ({n}) <= L ({seq_len})")
        for i in range(seq_len):
            for j in range(n):
                mask[b, 0, i, j] = j <= i or j < p
    return mask
