"""Verify the blind2 labels of paged-kv-gather against a per-token loop oracle."""
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from _harness_blind2 import collect, compare, raises, run  # noqa: E402


def oracle(pool, table, lens):
    _, bs, Hkv, D = pool.shape
    B = table.shape[0]
    L = int(lens.max())
    out = torch.zeros(B, Hkv, L, D, dtype=torch.float64)
    for b in range(B):
        for t in range(int(lens[b])):
            out[b, :, t] = pool[int(table[b, t // bs]), t % bs].double()
    return out


def make(g, B, bs, max_blocks, lens, num_blocks, Hkv, D, dtype, full_table=False):
    pool = torch.randn(num_blocks, bs, Hkv, D, generator=g).to(dtype)
    lens = torch.tensor(lens, dtype=torch.int64)
    table = torch.full((B, max_blocks), -1, dtype=torch.int64)
    perm = torch.randperm(num_blocks, generator=g)
    used = 0
    for b in range(B):
        n = max_blocks if full_table else -(-int(lens[b]) // bs)
        table[b, :n] = perm[used:used + n] % num_blocks
        used += n
    return pool, table, lens


def cases():
    g = torch.Generator().manual_seed(2)
    for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
        specs = [
            dict(B=3, bs=4, max_blocks=4, lens=[10, 16, 3], num_blocks=16, Hkv=2, D=8),
            dict(B=2, bs=1, max_blocks=6, lens=[6, 2], num_blocks=9, Hkv=3, D=4),
            dict(B=4, bs=8, max_blocks=3, lens=[1, 24, 9, 17], num_blocks=12, Hkv=1, D=16),
            dict(B=3, bs=4, max_blocks=5, lens=[0, 7, 12], num_blocks=20, Hkv=2, D=4),
            dict(B=2, bs=4, max_blocks=4, lens=[5, 8], num_blocks=12, Hkv=2, D=4, full_table=True),
            dict(B=1, bs=16, max_blocks=2, lens=[16], num_blocks=3, Hkv=4, D=8),
        ]
        for spec in specs:
            yield f"{dtype} {spec}", dtype, make(g, dtype=dtype, **spec)


def check(fn):
    problems = []
    for name, dtype, (pool, table, lens) in cases():
        before = (pool.clone(), table.clone(), lens.clone())
        try:
            out = fn(pool, table, lens)
        except Exception as e:  # noqa: BLE001
            if collect(problems, f"{name}: raised {type(e).__name__}: {e}"):
                return problems
            continue
        if collect(problems, compare(out, oracle(*before), dtype, name, tol=0.0)):
            return problems
        if not all(torch.equal(a, b) for a, b in zip(before, (pool, table, lens))):
            collect(problems, f"{name}: inputs modified in place")
    g = torch.Generator().manual_seed(3)
    pool, table, lens = make(g, 2, 4, 3, [9, 12], 10, 2, 4, torch.float32)
    collect(problems, raises(fn, ValueError, "seq_len 13 > 3 blocks * 4", pool, table, torch.tensor([9, 13])), 99)
    holed = table.clone()
    holed[1, 1] = -1
    collect(problems, raises(fn, ValueError, "-1 entry inside a sequence", pool, holed, lens), 99)
    last = table.clone()
    last[0, 2] = -1  # positions 8 (and only 8) of sequence 0 live in entry 2
    collect(problems, raises(fn, ValueError, "-1 entry for the last partial block", pool, last, lens), 99)
    return problems


if __name__ == "__main__":
    sys.exit(run(pathlib.Path(__file__).parent, "paged_kv_gather", check, sys.argv[1:]))
