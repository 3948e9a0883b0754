# blind: correct
import torch


def paged_kv_gather(kv_pool, block_table, seq_lens):
    """One sequence at a time: concatenate its blocks, cut at its length, pad with zeros."""
    _, block_size, Hkv, D = kv_pool.shape
    B, max_blocks = block_table.shape
    lens = [int(n) for n in seq_lens.tolist()]
    L = max(lens)
    out = kv_pool.new_zeros(B, Hkv, L, D)
    for b, n in enumerate(lens):
        n_blocks = -(-n // block_size)
        if n_blocks > max_blocks:
            raise ValueError(f"sequence {b} needs {n_blocks} blocks, the table has {max_blocks}")
        ids = block_table[b, :n_blocks].tolist()
        if any(i < 0 for i in ids):
            raise ValueError(f"sequence {b} uses an unused block-table entry")
        if n == 0:
            continue
        seq = torch.cat([kv_pool[i] for i in ids], dim=0)[:n]  # [n, Hkv, D]
        out[b, :, :n] = seq.transpose(0, 1)
    return out
