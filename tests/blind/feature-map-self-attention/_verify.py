"""Blind labels for feature-map-self-attention: strict state-dict load, float64 oracle on pixel tokens i*W + j."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn, ref_attention  # noqa: E402

SHAPES = [(2, 12, 3, 5, 3), (1, 8, 4, 4, 2), (2, 6, 1, 7, 1), (1, 16, 2, 3, 4), (3, 4, 1, 1, 2)]  # B, C, H, W, heads


def weights(c, gen):
    sd = {}
    for n in ("q_proj", "k_proj", "v_proj", "out_proj"):
        sd[f"{n}.weight"] = randn(c, c, gen=gen, dtype=torch.float64, scale=c**-0.5)
        sd[f"{n}.bias"] = randn(c, gen=gen, dtype=torch.float64, scale=0.2)
    return sd


def oracle(sd, x, heads):
    sd = {k: v.double() for k, v in sd.items()}
    b, c, h, w = x.shape
    d = c // heads
    t = x.double().permute(0, 2, 3, 1).reshape(b, h * w, c)

    def lin(z, n):
        return z @ sd[f"{n}.weight"].T + sd[f"{n}.bias"]

    q, k, v = (lin(t, n).reshape(b, h * w, heads, d).transpose(1, 2) for n in ("q_proj", "k_proj", "v_proj"))
    ctx = ref_attention(q, k, v).transpose(1, 2).reshape(b, h * w, c)
    return x.double() + lin(ctx, "out_proj").reshape(b, h, w, c).permute(0, 3, 1, 2)


def run(cls, sd, x, heads, dtype):
    m = cls(x.shape[1], heads).to(dtype)
    m.load_state_dict({k: v.to(dtype) for k, v in sd.items()}, strict=True)
    with torch.no_grad():
        return m(x)


def cases():
    g = torch.Generator().manual_seed(8)
    out = []
    for dtype in DTYPES:
        for b, c, h, w, heads in SHAPES:
            sd = weights(c, g)
            x = randn(b, c, h, w, dtype=dtype, gen=g)
            exp = E(oracle({k: v.to(dtype) for k, v in sd.items()}, x, heads), dtype)
            out.append(
                Case(f"{dtype}-{(b, c, h, w, heads)}", lambda cl, a=(sd, x, heads, dtype): run(cl, *a), exp, [x])
            )
    return out


if __name__ == "__main__":
    main(__file__, "FeatureMapSelfAttention", cases())
