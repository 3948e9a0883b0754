"""Blind labels for cross-attention: weights loaded by name (strict), float64 oracle from the same weights."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn, ref_attention  # noqa: E402

# (B, Lt, Ls, E, Em, H)
SHAPES = [(2, 5, 7, 12, 10, 3), (3, 1, 4, 8, 8, 2), (1, 6, 1, 16, 6, 4), (2, 4, 4, 12, 12, 1)]


def weights(e, em, gen):
    sd = {}
    for name, (o, i) in {"q_proj": (e, e), "k_proj": (e, em), "v_proj": (e, em), "out_proj": (e, e)}.items():
        sd[f"{name}.weight"] = randn(o, i, gen=gen, dtype=torch.float64, scale=i**-0.5)
        sd[f"{name}.bias"] = randn(o, gen=gen, dtype=torch.float64, scale=0.2)
    return sd


def oracle(sd, x, mem, mask, h):
    sd = {k: v.double() for k, v in sd.items()}

    def lin(t, n):
        return t.double() @ sd[f"{n}.weight"].T + sd[f"{n}.bias"]

    b, lt, e = x.shape
    d = e // h
    q = lin(x, "q_proj").reshape(b, lt, h, d).transpose(1, 2)
    k = lin(mem, "k_proj").reshape(b, -1, h, d).transpose(1, 2)
    v = lin(mem, "v_proj").reshape(b, -1, h, d).transpose(1, 2)
    allowed = None if mask is None else mask[:, None, None, :]
    ctx = ref_attention(q, k, v, allowed).transpose(1, 2).reshape(b, lt, e)
    return lin(ctx, "out_proj")


def run(cls, sd, x, mem, mask, h, dtype):
    e, em = x.shape[-1], mem.shape[-1]
    m = cls(e, em, h).to(dtype)
    m.load_state_dict({k: v.to(dtype) for k, v in sd.items()}, strict=True)
    with torch.no_grad():
        return m(x, mem) if mask is None else m(x, mem, memory_mask=mask)


def cases():
    g = torch.Generator().manual_seed(7)
    out = []
    for dtype in DTYPES:
        for b, lt, ls, e, em, h in SHAPES:
            sd = weights(e, em, g)
            sdr = {k: v.to(dtype) for k, v in sd.items()}
            x, mem = randn(b, lt, e, dtype=dtype, gen=g), randn(b, ls, em, dtype=dtype, gen=g)
            masks = {"none": None, "all-real": torch.ones(b, ls, dtype=torch.bool)}
            rnd = torch.rand(b, ls, generator=g) > 0.4
            rnd[0] = False  # an item with no real memory
            rnd[-1, 0] = True
            masks["random+empty"] = rnd
            for mn, mask in masks.items():
                exp = E(oracle(sdr, x, mem, mask, h), dtype)
                out.append(
                    Case(
                        f"{dtype}-{(b, lt, ls, e, em, h)}-mask={mn}",
                        lambda c, a=(sd, x, mem, mask, h, dtype): run(c, *a),
                        exp,
                        [x, mem],
                    )
                )
    return out


if __name__ == "__main__":
    main(__file__, "CrossAttention", cases())
