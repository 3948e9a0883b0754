"""Blind labels for kv-cache-quantization: float32 oracle as the prompt defines it (exact int8 codes), zero groups,
round-half-to-even ties, batches/heads kept apart, inputs not mutated, every graded dtype, the must-raise shapes."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, Raises, main, randn  # noqa: E402

SHAPES = [(2, 3, 7, 8, 5), (1, 1, 1, 4, 4), (3, 2, 16, 16, 12), (2, 4, 5, 1, 3)]  # B, Hkv, L, D, Dv


def quant(x, dim):
    x = x.to(torch.float32)
    amax = x.abs().amax(dim=dim, keepdim=True)
    scale = torch.where(amax == 0, torch.ones_like(amax), amax / 127)
    return torch.round(x / scale).clamp(-127, 127).to(torch.int8), scale


def expect(k, v):
    kc, ks = quant(k, 2)
    vc, vs = quant(v, 3)
    return (E(kc, torch.int8), E(ks, torch.float32), E(vc, torch.int8), E(vs, torch.float32))


def channel_spread(b, h, length, d, gen, dtype):
    """Keys with a few large channels and a per-batch magnitude, as KIVI describes."""
    mag = torch.ones(d, dtype=torch.float64)
    mag[:: max(d // 3, 1)] = 8.0
    per_b = torch.linspace(0.5, 3.0, b, dtype=torch.float64)[:, None, None, None]
    return (randn(b, h, length, d, gen=gen, dtype=torch.float64) * mag * per_b).to(dtype)


def cases():
    g = torch.Generator().manual_seed(3)
    out = []
    for dtype in DTYPES:
        for b, h, length, d, dv in SHAPES:
            k = channel_spread(b, h, length, d, g, dtype)
            v = randn(b, h, length, dv, gen=g, dtype=dtype, scale=2.0)
            out.append(Case(f"{dtype}-{(b, h, length, d, dv)}", lambda f, a=(k, v): f(*a), expect(k, v), [k, v]))
        # all-zero groups: a zero key channel and a zero value token
        k = randn(2, 2, 4, 6, gen=g, dtype=dtype)
        v = randn(2, 2, 4, 5, gen=g, dtype=dtype)
        k[:, :, :, 1] = 0
        k[1, 0] = 0
        v[0, 1, 2] = 0
        out.append(Case(f"{dtype}-zero-groups", lambda f, a=(k, v): f(*a), expect(k, v), [k, v]))
        # exact ties: max 127 gives scale 1, and x.5 values round half to even
        ties = torch.tensor([127.0, 2.5, -3.5, 0.5, -0.5, 1.5, 6.5, -126.5], dtype=torch.float64)
        k = ties[None, None, :, None].repeat(1, 2, 1, 3).to(dtype)
        v = ties[None, None, None, :].repeat(1, 2, 8, 1).to(dtype)
        out.append(Case(f"{dtype}-ties", lambda f, a=(k, v): f(*a), expect(k, v), [k, v]))
    bad = {
        "k-3d": (torch.randn(2, 5, 8), torch.randn(2, 1, 5, 8)),
        "v-5d": (torch.randn(2, 1, 5, 8), torch.randn(2, 1, 5, 8, 1)),
        "B-differs": (torch.randn(2, 1, 5, 8), torch.randn(3, 1, 5, 8)),
        "Hkv-differs": (torch.randn(2, 2, 5, 8), torch.randn(2, 1, 5, 8)),
        "L-differs": (torch.randn(2, 2, 5, 8), torch.randn(2, 2, 4, 8)),
    }
    for name, args in bad.items():
        out.append(Case(f"raises-{name}", lambda f, a=args: f(*a), Raises(ValueError)))
    return out


if __name__ == "__main__":
    main(__file__, "quantize_kv_cache", cases())
