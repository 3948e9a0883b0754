"""Reference: gather one layer's keys (or values) from a paged KV cache into a dense, zero-padded tensor."""

from __future__ import annotations

import torch


def paged_kv_gather(kv_pool, block_table, seq_lens):
    num_blocks, block_size, heads, dim = kv_pool.shape
    batch, max_blocks = block_table.shape
    length = int(seq_lens.max()) if batch else 0
    if length > max_blocks * block_size:
        raise ValueError(f"a sequence of {length} tokens needs more than the table's {max_blocks} blocks")
    pos = torch.arange(length, device=kv_pool.device)  # logical positions 0 ... L-1
    logical_block = pos // block_size  # which entry of the block table
    slot = pos % block_size  # where inside that physical block
    block_table = block_table.to(kv_pool.device)
    physical = block_table[:, logical_block]  # [B, L]
    valid = pos[None, :] < seq_lens.to(kv_pool.device)[:, None]  # [B, L]
    if (valid & (physical < 0)).any():
        raise ValueError("a position inside a sequence falls in a block marked -1 (unallocated)")
    # unused entries (-1) only occur beyond the length; read block 0 there and zero it below
    gathered = kv_pool[physical.clamp(min=0), slot[None, :].expand(batch, length)]  # [B, L, Hkv, D]
    gathered = torch.where(valid[:, :, None, None], gathered, torch.zeros((), dtype=kv_pool.dtype,
                                                                           device=kv_pool.device))
    return gathered.permute(0, 2, 1, 3)  # [B, Hkv, L, D]
