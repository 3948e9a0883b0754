"""Blind labels for se-block: strict state-dict load, float64 oracle, per-image gate, no mutation, dtype kept."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn  # noqa: E402

SHAPES = [(2, 8, 3, 5, 4), (1, 4, 4, 4, 2), (3, 12, 1, 1, 4), (2, 16, 6, 2, 4), (4, 6, 2, 7, 3), (2, 5, 3, 3, 5)]


def weights(c, r, gen):
    m = c // r
    return {
        "fc1.weight": randn(m, c, gen=gen, dtype=torch.float64, scale=c**-0.5 * 2),
        "fc1.bias": randn(m, gen=gen, dtype=torch.float64, scale=0.3),
        "fc2.weight": randn(c, m, gen=gen, dtype=torch.float64, scale=m**-0.5 * 2),
        "fc2.bias": randn(c, gen=gen, dtype=torch.float64, scale=0.3),
    }


def oracle(sd, x):
    sd = {k: v.double() for k, v in sd.items()}
    x = x.double()
    s = x.mean((2, 3))
    h = torch.relu(s @ sd["fc1.weight"].T + sd["fc1.bias"])
    g = torch.sigmoid(h @ sd["fc2.weight"].T + sd["fc2.bias"])
    return x * g[:, :, None, None]


def run(cls, sd, x, r, dtype):
    m = cls(x.shape[1], r) if r != 4 else cls(x.shape[1])
    m = m.to(dtype)
    m.load_state_dict({k: v.to(dtype) for k, v in sd.items()}, strict=True)
    with torch.no_grad():
        return m(x)


def cases():
    g = torch.Generator().manual_seed(21)
    out = []
    for dtype in DTYPES:
        for b, c, h, w, r in SHAPES:
            sd = weights(c, r, g)
            x = randn(b, c, h, w, dtype=dtype, gen=g, scale=2.0) + 0.5
            exp = E(oracle({k: v.to(dtype) for k, v in sd.items()}, x), dtype)
            out.append(Case(f"{dtype}-BCHWr{(b, c, h, w, r)}", lambda cl, a=(sd, x, r, dtype): run(cl, *a), exp, [x]))
    return out


if __name__ == "__main__":
    main(__file__, "SEBlock", cases())
