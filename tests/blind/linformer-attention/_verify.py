"""Blind labels for linformer-attention: float64 oracle softmax(Q (E K)^T / sqrt(D)) (F V); ValueError cases."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, Raises, main, randn, ref_attention  # noqa: E402

SHAPES = [(2, 3, 9, 4, 8, 5), (1, 2, 1, 1, 4, 4), (2, 1, 16, 16, 8, 3), (1, 4, 12, 3, 16, 6)]  # B, H, L, kp, D, Dv


def oracle(q, k, v, e, f):
    kp = torch.einsum("pl,bhld->bhpd", e.double(), k.double())
    vp = torch.einsum("pl,bhld->bhpd", f.double(), v.double())
    return ref_attention(q, kp, vp)


def cases():
    g = torch.Generator().manual_seed(6)
    out = []
    for dtype in DTYPES:
        for b, h, length, kp, d, dv in SHAPES:
            q, k, v = (
                randn(b, h, length, d, dtype=dtype, gen=g),
                randn(b, h, length, d, dtype=dtype, gen=g),
                randn(b, h, length, dv, dtype=dtype, gen=g),
            )
            e, f = randn(kp, length, dtype=dtype, gen=g, scale=0.5), randn(kp, length, dtype=dtype, gen=g, scale=0.5)
            out.append(
                Case(
                    f"{dtype}-{(b, h, length, kp, d, dv)}",
                    lambda fn, a=(q, k, v, e, f): fn(*a),
                    E(oracle(q, k, v, e, f), dtype),
                    [q, k, v, e, f],
                )
            )
        q, k, v = (
            randn(1, 2, 6, 4, dtype=dtype, gen=g),
            randn(1, 2, 6, 4, dtype=dtype, gen=g),
            randn(1, 2, 6, 4, dtype=dtype, gen=g),
        )
        bad = {
            "f-other-k": (randn(3, 6, dtype=dtype), randn(2, 6, dtype=dtype)),
            "both-wrong-L": (randn(3, 5, dtype=dtype), randn(3, 5, dtype=dtype)),
            "f-wrong-L": (randn(3, 6, dtype=dtype), randn(3, 7, dtype=dtype)),
            "square-wrong-L": (randn(6, 6, dtype=dtype)[:5, :5].contiguous(), randn(5, 5, dtype=dtype)),
        }
        for nm, (e, f) in bad.items():
            out.append(Case(f"{dtype}-raise-{nm}", lambda fn, a=(q, k, v, e, f): fn(*a), Raises(ValueError), [q, k, v]))
    return out


if __name__ == "__main__":
    main(__file__, "linformer_attention", cases())
