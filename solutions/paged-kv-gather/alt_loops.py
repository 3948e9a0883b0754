"""Alternative: copy block by block for each sequence into a zero tensor (how a simple server would write it)."""

from __future__ import annotations


def paged_kv_gather(kv_pool, block_table, seq_lens):
    _, bs, h, d = kv_pool.shape
    lens = [int(n) for n in seq_lens.tolist()]
    table = block_table.tolist()
    longest = max(lens) if lens else 0
    out = kv_pool.new_zeros(len(lens), h, longest, d)  # [B, Hkv, L, D]
    for b, n in enumerate(lens):
        if -(-n // bs) > len(table[b]):
            raise ValueError("block table too short for this sequence")
        for k in range(-(-n // bs)):  # ceil(n / bs) blocks, the last one possibly partial
            block = table[b][k]
            if block < 0:
                raise ValueError("missing block inside the sequence")
            take = min(bs, n - k * bs)
            out[b, :, k * bs: k * bs + take] = kv_pool[block, :take].transpose(0, 1)  # [Hkv, take, D]
    return out
