"""Blind labels for sagan-self-attention: float64 oracle on the loaded convs, gamma set by state dict or gamma_init,
identity at gamma 0, images kept apart, input not mutated, large scores for half precision."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn  # noqa: E402

SHAPES = [(2, 16, 3, 5), (1, 8, 4, 4), (3, 8, 1, 1), (2, 24, 2, 3), (1, 8, 1, 6)]  # B, C, H, W


def convs(c, gen, wscale=1.0):
    sd = {}
    for name, o in (("query_conv", c // 8), ("key_conv", c // 8), ("value_conv", c)):
        sd[f"{name}.weight"] = randn(o, c, 1, 1, gen=gen, dtype=torch.float64, scale=wscale * c**-0.5)
        sd[f"{name}.bias"] = randn(o, gen=gen, dtype=torch.float64, scale=0.2)
    return sd


def oracle(sd, x, gamma):
    sd = {k: v.double() for k, v in sd.items()}
    b, c, h, w = x.shape
    t = x.double().reshape(b, c, h * w).transpose(1, 2)

    def proj(n):
        return t @ sd[f"{n}.weight"].flatten(1).T + sd[f"{n}.bias"]

    q, k, v = proj("query_conv"), proj("key_conv"), proj("value_conv")
    o = torch.softmax(q @ k.transpose(1, 2), dim=-1) @ v
    return x.double() + gamma * o.transpose(1, 2).reshape(b, c, h, w)


def run(cls, sd, x, dtype, init):
    m = (cls(x.shape[1]) if init is None else cls(x.shape[1], gamma_init=init)).to(dtype)
    missing = m.load_state_dict({k: v.to(dtype) for k, v in sd.items()}, strict="gamma" in sd)
    if "gamma" not in sd and [*missing.missing_keys, *missing.unexpected_keys] != ["gamma"]:
        raise KeyError(f"state dict mismatch {missing}")
    with torch.no_grad():
        return m(x)


def cases():
    g = torch.Generator().manual_seed(5)
    out = [Case("gamma-is-a-[1]-parameter", lambda f: (tuple(f(16, gamma_init=0.3).gamma.shape),
                                                     isinstance(f(16).gamma, torch.nn.Parameter)), ((1,), True))]
    for dtype in DTYPES:
        for b, c, h, w in SHAPES:
            x = randn(b, c, h, w, dtype=dtype, gen=g)
            sd = convs(c, g)
            sdr = {k: v.to(dtype) for k, v in sd.items()}
            shape = f"{dtype}-{(b, c, h, w)}"
            out.append(Case(f"{shape}-default-identity", lambda f, a=(sd, x, dtype, None): run(f, *a),
                            E(x.double(), dtype, tol=0.0), [x]))
            init = 0.7
            out.append(Case(f"{shape}-gamma_init={init}", lambda f, a=(sd, x, dtype, init): run(f, *a),
                            E(oracle(sdr, x, float(torch.tensor(init).to(dtype))), dtype), [x]))
            for gamma in (0.5, -1.25):
                sdg = {**sd, "gamma": torch.tensor([gamma], dtype=torch.float64)}
                out.append(Case(f"{shape}-gamma={gamma}", lambda f, a=(sdg, x, dtype, None): run(f, *a),
                                E(oracle(sdr, x, gamma), dtype), [x]))
        # large scores (no 1/sqrt(d) scale): a softmax without max subtraction overflows in half precision
        x = randn(2, 16, 3, 3, dtype=dtype, gen=g, scale=1.0)
        sd = {**convs(16, g, wscale=4.0), "gamma": torch.tensor([0.25], dtype=torch.float64)}
        sdr = {k: v.to(dtype) for k, v in sd.items()}
        out.append(Case(f"{dtype}-large-scores", lambda f, a=(sd, x, dtype, None): run(f, *a),
                        E(oracle(sdr, x, 0.25), dtype, tol=0.1 if dtype in (torch.float16, torch.bfloat16) else None),
                        [x]))
    return out


if __name__ == "__main__":
    main(__file__, "SAGANSelfAttention", cases())
