"""Blind labels for attention-rollout: float64 oracle (head mean, + I, row renormalisation, later layers left)."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, Raises, main, randn  # noqa: E402


def oracle(atts, res):
    r = None
    for a in atts:
        a = a.double().mean(1)
        if res:
            a = a + torch.eye(a.shape[-1], dtype=torch.float64)
            a = a / a.sum(-1, keepdim=True)
        r = a if r is None else a @ r
    return r


def layers(n, b, h, length, dtype, g):
    return [
        torch.softmax(randn(b, h, length, length, gen=g, dtype=torch.float64, scale=2.0), -1).to(dtype)
        for _ in range(n)
    ]


def cases():
    g = torch.Generator().manual_seed(11)
    out = []
    for dtype in DTYPES:
        for n, b, h, length in ((3, 2, 4, 5), (1, 1, 2, 3), (4, 3, 1, 6), (2, 2, 3, 1)):
            atts = layers(n, b, h, length, dtype, g)
            for res in (True, False):
                out.append(
                    Case(
                        f"{dtype}-N{n}-{(b, h, length)}-res={res}",
                        lambda f, a=atts, r=res: f(a, add_residual=r),
                        E(oracle(atts, res), dtype),
                        atts,
                    )
                )
        out.append(Case(f"{dtype}-raise-empty", lambda f: f([]), Raises(ValueError)))
        mixed = layers(1, 2, 3, 4, dtype, g) + layers(1, 2, 2, 4, dtype, g)
        out.append(Case(f"{dtype}-raise-mixed-heads", lambda f, a=mixed: f(a), Raises(ValueError), mixed))
        nonsq = [torch.softmax(randn(2, 2, 3, 4, gen=g), -1).to(dtype)]
        out.append(Case(f"{dtype}-raise-non-square", lambda f, a=nonsq: f(a), Raises(ValueError), nonsq))
        mixed_b = layers(1, 2, 2, 4, dtype, g) + layers(1, 1, 2, 4, dtype, g)
        out.append(Case(f"{dtype}-raise-mixed-batch", lambda f, a=mixed_b: f(a), Raises(ValueError), mixed_b))
    return out


if __name__ == "__main__":
    main(__file__, "attention_rollout", cases())
