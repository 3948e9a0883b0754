"""Blind labels for entity-self-attention: strict state-dict load; float64 oracle that attends among the present
entities of each scene only; absent slots filled with garbage (large values, inf, NaN); empty scenes; slot
permutation invariance; mask=None; dtype kept; no mutation."""

import math
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn  # noqa: E402

SHAPES = [(2, 5, 8, 2, "random"), (3, 4, 12, 3, "none"), (1, 1, 8, 4, "none"), (4, 6, 8, 2, "empty"),
          (3, 7, 16, 4, "garbage"), (2, 3, 6, 3, "nan"), (3, 5, 8, 1, "random")]  # B, N, E, heads, slots
NAMES = ("q_proj", "k_proj", "v_proj", "out_proj")


def weights(e, gen):
    sd = {}
    for n in NAMES:
        sd[f"{n}.weight"] = randn(e, e, gen=gen, dtype=torch.float64, scale=e**-0.5)
        sd[f"{n}.bias"] = randn(e, gen=gen, dtype=torch.float64, scale=0.2)
    return sd


def oracle(sd, x, mask, heads):
    sd = {k: v.double() for k, v in sd.items()}
    B, N, Em = x.shape
    d = Em // heads
    out = torch.zeros(B, Em, dtype=torch.float64)
    for b in range(B):
        z = x[b].double() if mask is None else x[b][mask[b]].double()
        n = z.shape[0]
        if n == 0:
            continue
        q, k, v = ((z @ sd[f"{p}.weight"].T + sd[f"{p}.bias"]).view(n, heads, d).transpose(0, 1)
                   for p in NAMES[:3])
        a = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(d), -1)
        y = (a @ v).transpose(0, 1).reshape(n, Em) @ sd["out_proj.weight"].T + sd["out_proj.bias"]
        out[b] = y.mean(0)
    return out


def make(b, n, e, kind, dtype, gen):
    x = randn(b, n, e, dtype=torch.float64, gen=gen)
    if kind == "none":
        return x.to(dtype), None
    mask = torch.rand(b, n, generator=gen) < 0.6
    mask[0, 0] = True
    if kind == "empty":
        mask[1] = False
        mask[2, :] = False
        mask[2, 3] = True
    if kind == "garbage":
        x[~mask] = 300.0 * torch.randn(int((~mask).sum()), e, generator=gen, dtype=torch.float64).sign()
        x[0, -1] = float("inf") if not mask[0, -1] else x[0, -1]
    if kind == "nan":
        mask[:, -1] = False
        x[:, -1] = float("nan")
    return x.to(dtype), mask


def run(cls, sd, x, mask, heads, dtype, perm=None):
    m = cls(x.shape[-1], heads).to(dtype)
    m.load_state_dict({k: v.to(dtype) for k, v in sd.items()}, strict=True)
    if perm is not None:
        x, mask = x[:, perm], mask[:, perm]
    snap = x.clone()
    with torch.no_grad():
        y = m(x) if mask is None else m(x, mask)
    # NaN-aware mutation check (the shared one uses torch.equal, and NaN != NaN)
    return y if torch.allclose(x, snap, rtol=0, atol=0, equal_nan=True) else "input entities mutated in place"


def cases():
    g = torch.Generator().manual_seed(51)
    out = []
    for dtype in DTYPES:
        for b, n, e, heads, kind in SHAPES:
            sd = weights(e, g)
            x, mask = make(b, n, e, kind, dtype, g)
            exp = E(oracle({k: v.to(dtype) for k, v in sd.items()}, x, mask, heads), dtype)
            args = (sd, x, mask, heads, dtype)
            inputs = [] if mask is None else [mask]
            out.append(Case(f"{dtype}-BNEh{(b, n, e, heads)}-{kind}", lambda cl, a=args: run(cl, *a), exp, inputs))
            if mask is not None:
                perm = torch.randperm(n, generator=g)
                out.append(Case(f"{dtype}-BNEh{(b, n, e, heads)}-{kind}-permuted",
                                lambda cl, a=args, p=perm: run(cl, *a, perm=p), exp, inputs))
    return out


if __name__ == "__main__":
    main(__file__, "EntitySelfAttention", cases())
