"""Blind labels for alibi-bias: slopes from the paper's rule (checked against the prompt's H = 3 and H = 8 examples),
end-aligned query positions, bias for every key, ValueError cases."""

import math
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, Raises, main  # noqa: E402


def slopes(n):
    if n & (n - 1) == 0:
        return [2.0 ** (-8.0 * (h + 1) / n) for h in range(n)]
    p = 2 ** int(math.log2(n))
    return slopes(p) + slopes(2 * p)[0::2][: n - p]


assert slopes(3) == [2**-4, 2**-8, 2**-2]
assert slopes(8) == [1 / 2**i for i in range(1, 9)]


def oracle(h, lq, lk):
    m = torch.tensor(slopes(h), dtype=torch.float64)
    p = torch.arange(lq, dtype=torch.float64) + lk - lq
    return -m[:, None, None] * (p[:, None] - torch.arange(lk, dtype=torch.float64)[None, :])


def cases():
    out = []
    for dtype in DTYPES:
        for h in (1, 2, 3, 5, 6, 8, 12):
            for lq, lk in ((4, 7), (1, 5), (6, 6), (1, 1), (3, 40)):
                out.append(
                    Case(
                        f"{dtype}-H{h}-{lq}x{lk}",
                        lambda f, a=(h, lq, lk, dtype): f(a[0], a[1], a[2], dtype=a[3]),
                        E(oracle(h, lq, lk), dtype),
                    )
                )
        for h, lq, lk in ((0, 2, 3), (-1, 2, 3), (4, 5, 3)):
            out.append(
                Case(
                    f"{dtype}-raise-H{h}-{lq}x{lk}",
                    lambda f, a=(h, lq, lk, dtype): f(a[0], a[1], a[2], dtype=a[3]),
                    Raises(ValueError),
                )
            )
    return out


if __name__ == "__main__":
    main(__file__, "alibi_bias", cases())
