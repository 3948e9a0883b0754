# blind: correct
import torch


def paged_kv_gather(kv_pool, block_table, seq_lens):
    """Flatten the pool to [num_blocks * block_size, Hkv, D] and index_select physical token rows."""
    num_blocks, bs, Hkv, D = kv_pool.shape
    B, max_blocks = block_table.shape
    if bool((seq_lens > max_blocks * bs).any()):
        raise ValueError("sequence longer than its block table")
    L = int(seq_lens.max())
    pos = torch.arange(L, device=seq_lens.device).expand(B, L)
    live = pos < seq_lens.unsqueeze(1)
    entry = torch.where(live, pos // bs, torch.zeros_like(pos))
    phys_block = torch.gather(block_table, 1, entry)
    if bool((live & (phys_block == -1)).any()):
        raise ValueError("position mapped to a -1 entry")
    row = torch.where(live, phys_block * bs + pos % bs, torch.zeros_like(pos))
    flat = kv_pool.reshape(num_blocks * bs, Hkv, D)
    gathered = flat.index_select(0, row.reshape(-1)).view(B, L, Hkv, D)
    gathered = torch.where(live[..., None, None], gathered, torch.zeros((), dtype=kv_pool.dtype))
    return gathered.transpose(1, 2).contiguous()
