# blind: wrong
# bug: positions past seq_len keep whatever the last block's slots hold instead of zeros
# family: other
import torch


def paged_kv_gather(kv_pool, block_table, seq_lens):
    num_blocks, block_size, Hkv, D = kv_pool.shape
    B, max_blocks = block_table.shape
    seq_lens = seq_lens.to(torch.int64)
    needed = (seq_lens + block_size - 1) // block_size
    if (needed > max_blocks).any():
        raise ValueError("a sequence needs more blocks than the block table has")
    L = int(seq_lens.max()) if B else 0
    t = torch.arange(L, device=kv_pool.device)
    valid = t[None, :] < seq_lens[:, None]  # [B, L]
    entry = t // block_size  # [L]
    slot = t % block_size
    blocks = block_table[:, entry]  # [B, L]
    if ((blocks < 0) & valid).any():
        raise ValueError("a position inside a sequence falls in an unused (-1) block-table entry")
    safe_blocks = blocks.clamp_min(0)
    keys = kv_pool[safe_blocks, slot[None, :].expand(B, L)]  # [B, L, Hkv, D]
    return keys.permute(0, 2, 1, 3).contiguous()
