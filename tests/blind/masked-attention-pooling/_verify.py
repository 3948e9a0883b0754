"""Blind labels for masked-attention-pooling: scorer loaded by name (strict), float64 oracle, padding, an example
with no real token, mask None, large scores, every graded dtype, input unchanged."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn  # noqa: E402

SHAPES = [(3, 7, 6), (1, 1, 4), (4, 5, 8), (2, 9, 3)]  # B, L, D


def oracle(sd, h, mask):
    w_, b_ = sd["scorer.weight"].double(), sd["scorer.bias"].double()
    h = h.double()
    bsz, length, _ = h.shape
    weights = torch.zeros(bsz, length, dtype=torch.float64)
    for b in range(bsz):
        real = torch.ones(length, dtype=torch.bool) if mask is None else mask[b]
        if real.any():
            weights[b, real] = torch.softmax(h[b, real] @ w_[0] + b_[0], dim=0)
    return torch.einsum("bl,bld->bd", weights, h), weights


def run(cls, sd, h, mask, dtype):
    m = cls(h.shape[-1]).to(dtype)
    m.load_state_dict({k: v.to(dtype) for k, v in sd.items()}, strict=True)
    with torch.no_grad():
        return m(h) if mask is None else m(h, mask)


def cases():
    g = torch.Generator().manual_seed(29)
    out = []
    for dtype in DTYPES:
        for (b, length, d), wscale in [(s, 1.0) for s in SHAPES] + [((3, 6, 8), 6.0)]:
            sd = {"scorer.weight": randn(1, d, gen=g, dtype=torch.float64, scale=wscale * d**-0.5),
                  "scorer.bias": randn(1, gen=g, dtype=torch.float64)}
            sdr = {k: v.to(dtype) for k, v in sd.items()}
            h = randn(b, length, d, dtype=dtype, gen=g, scale=1.0 if wscale == 1.0 else 2.0)
            lens = torch.randint(1, length + 1, (b,), generator=g)
            pad = torch.arange(length)[None] < lens[:, None]
            empty = pad.clone()
            empty[0] = False
            for mn, mask in (("none", None), ("all-real", torch.ones(b, length, dtype=torch.bool)), ("padded", pad),
                             ("padded+empty", empty)):
                p, w = oracle(sdr, h, mask)
                tol = 0.05 if wscale != 1.0 and dtype in (torch.float16, torch.bfloat16) else None
                out.append(Case(f"{dtype}-{(b, length, d)}-wscale{wscale}-mask={mn}",
                                lambda f, a=(sd, h, mask, dtype): run(f, *a),
                                (E(p, dtype, tol), E(w, dtype, tol)), [h] + ([] if mask is None else [mask])))
    return out


if __name__ == "__main__":
    main(__file__, "MaskedAttentionPooling", cases())
