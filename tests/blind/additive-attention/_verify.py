"""Blind labels for additive-attention: float64 Bahdanau oracle, masked softmax with zero rows."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn  # noqa: E402

SHAPES = [(3, 5, 4, 6, 7, 8), (4, 4, 8, 8, 3, 8), (1, 1, 3, 2, 2, 5), (2, 7, 6, 6, 6, 6)]  # B, L, Dq, Dk, Dv, A


def oracle(q, keys, vals, wq, wk, va, mask):
    q, keys, vals, wq, wk, va = (t.double() for t in (q, keys, vals, wq, wk, va))
    e = torch.tanh((q @ wq.T)[:, None] + keys @ wk.T) @ va
    if mask is not None:
        e = e.masked_fill(~mask, float("-inf"))
    m = e.amax(1, keepdim=True)
    m = torch.where(torch.isinf(m), torch.zeros_like(m), m)
    p = torch.exp(e - m)
    s = p.sum(1, keepdim=True)
    p = torch.where(s > 0, p / s.clamp_min(1e-300), torch.zeros_like(p))
    return (p[:, :, None] * vals).sum(1), p


def cases():
    g = torch.Generator().manual_seed(9)
    out = []
    for dtype in DTYPES:
        for b, length, dq, dk, dv, a in SHAPES:
            q, keys, vals = (
                randn(b, dq, dtype=dtype, gen=g),
                randn(b, length, dk, dtype=dtype, gen=g),
                randn(b, length, dv, dtype=dtype, gen=g),
            )
            wq, wk, va = (
                randn(a, dq, dtype=dtype, gen=g),
                randn(a, dk, dtype=dtype, gen=g),
                randn(a, dtype=dtype, gen=g),
            )
            rnd = torch.rand(b, length, generator=g) > 0.4
            rnd[0] = False
            rnd[-1, -1] = b > 1
            for mn, mask in (
                ("none", None),
                ("all-true", torch.ones(b, length, dtype=torch.bool)),
                ("random+empty", rnd),
            ):
                c, w = oracle(q, keys, vals, wq, wk, va, mask)
                args = (q, keys, vals, wq, wk, va, mask)
                out.append(
                    Case(
                        f"{dtype}-{(b, length, dq, dk, dv, a)}-mask={mn}",
                        lambda f, a=args: f(*a),
                        (E(c, dtype), E(w, dtype)),
                        [q, keys, vals, wq, wk, va],
                    )
                )
    return out


if __name__ == "__main__":
    main(__file__, "additive_attention", cases())
