"""Alternative: flatten the pool to slots and compute each token's slot id = block * block_size + offset."""

from __future__ import annotations

import torch


def paged_kv_gather(kv_pool, block_table, seq_lens):
    nb, bs, h, d = kv_pool.shape
    b, mb = block_table.shape
    length = int(seq_lens.max())
    if length > mb * bs:
        raise ValueError("sequence longer than its block table")
    slots_per_block = torch.arange(bs, device=kv_pool.device)
    slot_ids = block_table.to(kv_pool.device)[:, :, None] * bs + slots_per_block  # [B, max_blocks, bs]
    slot_ids = slot_ids.reshape(b, mb * bs)[:, :length]  # [B, L]
    inside = torch.arange(length, device=kv_pool.device) < seq_lens.to(kv_pool.device)[:, None]
    if (inside & (slot_ids < 0)).any():
        raise ValueError("unallocated block (-1) inside a sequence")
    flat = kv_pool.reshape(nb * bs, h, d)  # [slots, Hkv, D]
    rows = flat.index_select(0, torch.where(inside, slot_ids, 0).reshape(-1)).reshape(b, length, h, d)
    rows = rows * inside[:, :, None, None].to(kv_pool.dtype)  # zero the tail
    return rows.transpose(1, 2).contiguous()  # [B, Hkv, L, D]
