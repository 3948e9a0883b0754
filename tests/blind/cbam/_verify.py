"""Blind labels for cbam: strict state-dict load, float64 oracle (channel gate, then spatial gate on x_c),
non-square maps, no mutation, dtype kept."""

import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn  # noqa: E402

SHAPES = [(2, 8, 5, 5, 4, 3), (1, 4, 4, 6, 2, 3), (3, 8, 6, 3, 4, 7), (2, 12, 1, 1, 4, 3), (2, 6, 3, 8, 3, 5),
          (1, 16, 7, 7, 4, 7)]  # B, C, H, W, reduction, kernel


def weights(c, r, k, gen):
    m = c // r
    return {
        "fc1.weight": randn(m, c, gen=gen, dtype=torch.float64, scale=2 * c**-0.5),
        "fc1.bias": randn(m, gen=gen, dtype=torch.float64, scale=0.3),
        "fc2.weight": randn(c, m, gen=gen, dtype=torch.float64, scale=2 * m**-0.5),
        "fc2.bias": randn(c, gen=gen, dtype=torch.float64, scale=0.3),
        "conv.weight": randn(1, 2, k, k, gen=gen, dtype=torch.float64, scale=1.5 / k),
    }


def oracle(sd, x):
    sd = {k: v.double() for k, v in sd.items()}
    x = x.double()

    def mlp(s):
        return torch.relu(s @ sd["fc1.weight"].T + sd["fc1.bias"]) @ sd["fc2.weight"].T + sd["fc2.bias"]

    g = torch.sigmoid(mlp(x.mean((2, 3))) + mlp(x.amax((2, 3))))
    xc = x * g[:, :, None, None]
    s = torch.stack([xc.mean(1), xc.amax(1)], 1)
    k = sd["conv.weight"].shape[-1]
    return xc * torch.sigmoid(F.conv2d(s, sd["conv.weight"], padding=k // 2))


def run(cls, sd, x, r, k, dtype):
    m = cls(x.shape[1]) if (r, k) == (4, 7) else cls(x.shape[1], r, k)
    m = m.to(dtype)
    m.load_state_dict({n: v.to(dtype) for n, v in sd.items()}, strict=True)
    with torch.no_grad():
        return m(x)


def cases():
    g = torch.Generator().manual_seed(31)
    out = []
    for dtype in DTYPES:
        for b, c, h, w, r, k in SHAPES:
            sd = weights(c, r, k, g)
            x = randn(b, c, h, w, dtype=dtype, gen=g, scale=1.5) + 0.3
            exp = E(oracle({n: v.to(dtype) for n, v in sd.items()}, x), dtype)
            out.append(Case(f"{dtype}-BCHWrk{(b, c, h, w, r, k)}", lambda cl, a=(sd, x, r, k, dtype): run(cl, *a), exp, [x]))
    return out


if __name__ == "__main__":
    main(__file__, "CBAM", cases())
