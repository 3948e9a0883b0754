"""Blind labels for grouped-query-attention: float64 oracle with kv head h // G, bottom-right causal, zero rows."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, Raises, causal_allowed, main, randn, ref_attention  # noqa: E402

# (B, Hq, Hkv, Lq, Lk, D, Dv)
SHAPES = [
    (2, 6, 2, 4, 7, 8, 5),
    (1, 4, 2, 3, 3, 4, 4),
    (2, 3, 1, 1, 6, 8, 3),
    (1, 8, 4, 6, 4, 4, 6),
    (1, 2, 2, 5, 5, 16, 8),
]


def oracle(q, k, v, causal, scale):
    g = q.shape[1] // k.shape[1]
    kk, vv = k.repeat_interleave(g, 1), v.repeat_interleave(g, 1)
    allowed = causal_allowed(q.shape[2], k.shape[2]) if causal else None
    return ref_attention(q, kk, vv, allowed, scale)


def cases():
    gen = torch.Generator().manual_seed(3)
    out = []
    for dtype in DTYPES:
        for b, hq, hkv, lq, lk, d, dv in SHAPES:
            for causal in (False, True):
                for scale in (None, 0.5):
                    q = randn(b, hq, lq, d, dtype=dtype, gen=gen)
                    k, v = randn(b, hkv, lk, d, dtype=dtype, gen=gen), randn(b, hkv, lk, dv, dtype=dtype, gen=gen)
                    exp = E(oracle(q, k, v, causal, scale), dtype)
                    name = f"{dtype}-{(b, hq, hkv, lq, lk, d, dv)}-causal={causal}-scale={scale}"
                    out.append(
                        Case(
                            name,
                            lambda f, q=q, k=k, v=v, c=causal, s=scale: f(q, k, v, causal=c, scale=s),
                            exp,
                            [q, k, v],
                        )
                    )
        q, k, v = (
            randn(1, 5, 2, 4, dtype=dtype, gen=gen),
            randn(1, 2, 2, 4, dtype=dtype, gen=gen),
            randn(1, 2, 2, 4, dtype=dtype, gen=gen),
        )
        out.append(Case(f"{dtype}-Hq5-Hkv2", lambda f, q=q, k=k, v=v: f(q, k, v), Raises(ValueError), [q, k, v]))
    return out


if __name__ == "__main__":
    main(__file__, "grouped_query_attention", cases())
