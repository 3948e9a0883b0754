"""Blind labels for kv-cache: scripted decoding (prefill, single tokens, chunks, refused overflows, an exact fill),
two caches alive at once; every append's result is compared with the concatenation of what was appended, and
`length` must be an int property that a refused append leaves unchanged."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn  # noqa: E402

SCRIPT = [5, 1, 1, 3, 4, 2, 1]  # with max_len 12: 5, 6, 7, 10, refused (14), 12 (exact fill), refused (13)


def drive(cls, b, h, d, max_len, dtype, in_dtype, gen_seed):
    g = torch.Generator().manual_seed(gen_seed)
    caches = [cls(b, h, d, max_len, dtype=dtype), cls(b, h, d, max_len, dtype=dtype)]
    record = []
    for step, t in enumerate(SCRIPT):
        for ci, c in enumerate(caches):
            k, v = randn(b, h, t, d, dtype=in_dtype, gen=g), randn(b, h, t, d, dtype=in_dtype, gen=g)
            try:
                ks, vs = c.append(k, v)
                res = ("ok", ks, vs)
            except ValueError:
                res = ("refused",)
            ln = c.length
            record.append((step, ci, res, type(ln).__name__, ln if isinstance(ln, int) else None))
    return record


def expected(b, h, d, max_len, dtype, in_dtype, gen_seed):
    g = torch.Generator().manual_seed(gen_seed)
    stores = [[[], [], 0], [[], [], 0]]
    record = []
    for step, t in enumerate(SCRIPT):
        for ci in range(2):
            k, v = randn(b, h, t, d, dtype=in_dtype, gen=g), randn(b, h, t, d, dtype=in_dtype, gen=g)
            st = stores[ci]
            if st[2] + t > max_len:
                res = ("refused",)
            else:
                st[0].append(k.to(dtype))
                st[1].append(v.to(dtype))
                st[2] += t
                res = ("ok", E(torch.cat(st[0], 2).double(), dtype, 0.0), E(torch.cat(st[1], 2).double(), dtype, 0.0))
            record.append((step, ci, res, "int", st[2]))
    return record


def cases():
    out = []
    seed = 0
    for dtype in DTYPES:
        for in_dtype in (dtype, torch.float32):
            for b, h, d in ((2, 3, 4), (1, 1, 8)):
                seed += 1
                exp = expected(b, h, d, 12, dtype, in_dtype, seed)
                out.append(
                    Case(
                        f"cache={dtype}-in={in_dtype}-{(b, h, d)}",
                        lambda c, a=(b, h, d, 12, dtype, in_dtype, seed): drive(c, *a),
                        exp,
                    )
                )
    return out


if __name__ == "__main__":
    main(__file__, "KVCache", cases())
