"""Blind labels for causal-attention: float64 bottom-right causal oracle on the same rounded inputs."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, Raises, causal_allowed, main, randn, ref_attention  # noqa: E402

SHAPES = [(2, 3, 4, 7, 8, 5), (1, 2, 1, 6, 4, 4), (2, 1, 5, 5, 16, 3), (1, 1, 1, 1, 3, 2), (3, 4, 6, 9, 8, 8)]


def cases():
    g = torch.Generator().manual_seed(2)
    out = []
    for dtype in DTYPES:
        for b, h, lq, lk, d, dv in SHAPES:
            for scale in (None, 0.37):
                q, k, v = (
                    randn(b, h, lq, d, dtype=dtype, gen=g),
                    randn(b, h, lk, d, dtype=dtype, gen=g),
                    randn(b, h, lk, dv, dtype=dtype, gen=g),
                )
                exp = E(ref_attention(q, k, v, causal_allowed(lq, lk), scale), dtype)
                name = f"{dtype}-{(b, h, lq, lk, d, dv)}-scale={scale}"
                out.append(Case(name, lambda f, q=q, k=k, v=v, s=scale: f(q, k, v, scale=s), exp, [q, k, v]))
        q, k, v = (
            randn(1, 2, 5, 4, dtype=dtype, gen=g),
            randn(1, 2, 3, 4, dtype=dtype, gen=g),
            randn(1, 2, 3, 4, dtype=dtype, gen=g),
        )
        out.append(Case(f"{dtype}-Lq>Lk", lambda f, q=q, k=k, v=v: f(q, k, v), Raises(ValueError), [q, k, v]))
    return out


if __name__ == "__main__":
    main(__file__, "causal_attention", cases())
