"""Blind labels for linear-attention: float64 oracle of the inclusive prefix-sum formula, memory linear in L."""

import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, largest_intermediate, main, quadratic, randn  # noqa: E402

SHAPES = [(2, 3, 7, 8, 5), (1, 2, 1, 4, 4), (2, 1, 33, 16, 3), (1, 4, 20, 4, 8)]


def oracle(q, k, v, eps):
    fq, fk = F.elu(q.double()) + 1, F.elu(k.double()) + 1
    a = (fq @ fk.transpose(-2, -1)).tril()
    return (a @ v.double()) / (a.sum(-1, keepdim=True) + eps)


def memory_run(f, q, k, v):
    out, shapes = largest_intermediate(f, q, k, v)
    bad = quadratic(shapes, q.shape[0] * q.shape[1], q.shape[2], q.shape[2])
    if bad:
        raise MemoryError(f"created a tensor of shape {bad}")
    return out


def cases():
    g = torch.Generator().manual_seed(5)
    out = []
    for dtype in DTYPES:
        for b, h, length, d, dv in SHAPES:
            for eps in (1e-6, 0.5):
                q, k, v = (
                    randn(b, h, length, d, dtype=dtype, gen=g),
                    randn(b, h, length, d, dtype=dtype, gen=g),
                    randn(b, h, length, dv, dtype=dtype, gen=g),
                )
                name = f"{dtype}-{(b, h, length, d, dv)}-eps={eps}"
                out.append(
                    Case(
                        name,
                        lambda f, q=q, k=k, v=v, e=eps: f(q, k, v, eps=e),
                        E(oracle(q, k, v, eps), dtype),
                        [q, k, v],
                    )
                )
    q, k, v = randn(1, 2, 200, 4, gen=g), randn(1, 2, 200, 4, gen=g), randn(1, 2, 200, 4, gen=g)
    out.append(
        Case(
            "memory-L200",
            lambda f, q=q, k=k, v=v: memory_run(f, q, k, v),
            E(oracle(q, k, v, 1e-6), torch.float32),
            [q, k, v],
        )
    )
    return out


if __name__ == "__main__":
    main(__file__, "causal_linear_attention", cases())
