"""Blind labels for din-attention: strict state-dict load, float64 oracle of the raw (unnormalised) activation
unit, padded weights exactly 0, users with no history, mask=None, no mutation, dtype kept."""

import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn  # noqa: E402

SHAPES = [(2, 5, 4, 8, "right"), (3, 1, 6, 5, "none"), (1, 7, 3, 4, "random"), (4, 6, 8, 16, "empty"),
          (3, 4, 5, 6, "none"), (2, 3, 2, 3, "random")]  # B, L, D, hidden, mask kind


def weights(d, hidden, gen):
    return {
        "fc1.weight": randn(hidden, 4 * d, gen=gen, dtype=torch.float64, scale=(4 * d) ** -0.5 * 1.5),
        "fc1.bias": randn(hidden, gen=gen, dtype=torch.float64, scale=0.3),
        "act.weight": torch.tensor([0.25]) + randn(1, gen=gen, dtype=torch.float64, scale=0.1),
        "fc2.weight": randn(1, hidden, gen=gen, dtype=torch.float64, scale=hidden**-0.5 * 1.5),
        "fc2.bias": randn(1, gen=gen, dtype=torch.float64, scale=0.3),
    }


def oracle(sd, target, history, mask):
    sd = {k: v.double() for k, v in sd.items()}
    h, t = history.double(), target.double()[:, None].expand_as(history)
    z = torch.cat([h, t, h - t, h * t], -1) @ sd["fc1.weight"].T + sd["fc1.bias"]
    w = (F.prelu(z, sd["act.weight"]) @ sd["fc2.weight"].T + sd["fc2.bias"])[..., 0]
    if mask is not None:
        w = torch.where(mask, w, torch.zeros_like(w))
    return (w[..., None] * h).sum(1), w


def make_mask(b, n, kind, gen):
    if kind == "none":
        return None
    if kind == "right":
        lens = torch.randint(1, n + 1, (b,), generator=gen)
        return torch.arange(n)[None] < lens[:, None]
    m = torch.rand(b, n, generator=gen) < 0.6
    m[0, 0] = True
    if kind == "empty":
        m[1] = False
    return m


def run(cls, sd, target, history, mask, dtype, part=None):
    m = cls(target.shape[1], sd["fc2.weight"].shape[1]).to(dtype)
    m.load_state_dict({k: v.to(dtype) for k, v in sd.items()}, strict=True)
    with torch.no_grad():
        out = m(target, history) if mask is None else m(target, history, mask)
    if part == "padded":
        return out[1][~mask].float()
    return out


def cases():
    g = torch.Generator().manual_seed(41)
    out = []
    for dtype in DTYPES:
        for b, n, d, hidden, kind in SHAPES:
            sd = weights(d, hidden, g)
            target = randn(b, d, dtype=dtype, gen=g)
            history = randn(b, n, d, dtype=dtype, gen=g)
            mask = make_mask(b, n, kind, g)
            ref = oracle({k: v.to(dtype) for k, v in sd.items()}, target, history, mask)
            name = f"{dtype}-BLDh{(b, n, d, hidden)}-{kind}"
            args = (sd, target, history, mask, dtype)
            inputs = [target, history] + ([mask] if mask is not None else [])
            out.append(Case(name, lambda cl, a=args: run(cl, *a), (E(ref[0], dtype), E(ref[1], dtype)), inputs))
            if mask is not None and (~mask).any():
                zeros = torch.zeros(int((~mask).sum()), dtype=torch.float64)
                out.append(Case(name + "-padded-exactly-0", lambda cl, a=args: run(cl, *a, part="padded"),
                                E(zeros, torch.float32, 0.0), inputs))
    return out


if __name__ == "__main__":
    main(__file__, "DINAttention", cases())
