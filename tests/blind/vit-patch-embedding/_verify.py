"""Blind labels for vit-patch-embedding: exact index oracle (row-major patches, (c, y, x) inside), the conv
identity, non-square images, and the must-raise sizes."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, Raises, main, randn  # noqa: E402

SHAPES = [(2, 3, 4, 6, 2), (1, 1, 4, 4, 4), (3, 2, 6, 3, 3), (2, 4, 8, 4, 2), (1, 3, 2, 2, 1), (2, 2, 9, 6, 3)]
BAD = [(1, 3, 5, 4, 2), (2, 3, 4, 5, 2), (1, 2, 7, 9, 3), (2, 1, 6, 8, 4)]


def oracle(img, p):
    b, c, h, w = img.shape
    gw = w // p
    out = torch.empty(b, (h // p) * gw, c * p * p, dtype=torch.float64)
    for i in range(h // p):
        for j in range(gw):
            for ch in range(c):
                for y in range(p):
                    for x in range(p):
                        out[:, i * gw + j, ch * p * p + y * p + x] = img[:, ch, i * p + y, j * p + x].double()
    return out


def conv_pair(img, p, gen):
    """A random patch convolution: returns (weight, bias, conv(img) as tokens) in float64."""
    w = randn(5, img.shape[1], p, p, gen=gen, dtype=torch.float64)
    b = randn(5, gen=gen, dtype=torch.float64)
    return w, b, torch.nn.functional.conv2d(img, w, b, stride=p).flatten(2).transpose(1, 2)


def cases():
    g = torch.Generator().manual_seed(5)
    out = []
    for dtype in DTYPES:
        for b, c, h, w, p in SHAPES:
            img = randn(b, c, h, w, dtype=dtype, gen=g)
            out.append(Case(f"{dtype}-BCHWp{(b, c, h, w, p)}", lambda f, a=(img, p): f(*a), E(oracle(img, p), dtype, 0.0),
                            [img]))
        for b, c, h, w, p in BAD:
            img = randn(b, c, h, w, dtype=dtype, gen=g)
            out.append(Case(f"{dtype}-raise{(b, c, h, w, p)}", lambda f, a=(img, p): f(*a), Raises(ValueError), [img]))
    for b, c, h, w, p in SHAPES:
        img = randn(b, c, h, w, dtype=torch.float64, gen=g)
        wt, bias, want = conv_pair(img, p, g)
        out.append(Case(f"conv-identity{(b, c, h, w, p)}",
                        lambda f, a=(img, p, wt, bias): f(*a[:2]) @ a[2].flatten(1).T + a[3],
                        E(want, torch.float64), [img]))
    return out


if __name__ == "__main__":
    main(__file__, "patchify", cases())
