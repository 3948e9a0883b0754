"""Blind labels for divided-space-time-attention: strict state-dict load; float64 oracle (pre-LN temporal
attention per clip and patch, then spatial per clip and frame) written with explicit loops; B > 1, T != N,
T = 1, N = 1; dtype kept; no mutation."""

import math
import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn  # noqa: E402

# two pre-LN sublayers with residual sums of magnitude ~8: a plain float16 run is off by ~1e-2 absolute
HALF_TOL = {torch.float16: 1.2e-2, torch.bfloat16: 6e-2}
SHAPES = [(2, 3, 4, 8, 2), (1, 4, 3, 6, 3), (3, 2, 5, 8, 4), (2, 1, 4, 4, 1), (2, 5, 1, 6, 2), (1, 3, 3, 12, 3)]


def weights(d, gen):
    sd = {}
    for p in ("temporal", "spatial"):
        sd[f"{p}_norm.weight"] = 1 + randn(d, gen=gen, dtype=torch.float64, scale=0.3)
        sd[f"{p}_norm.bias"] = randn(d, gen=gen, dtype=torch.float64, scale=0.3)
        sd[f"{p}_attn.in_proj_weight"] = randn(3 * d, d, gen=gen, dtype=torch.float64, scale=d**-0.5 * 1.5)
        sd[f"{p}_attn.in_proj_bias"] = randn(3 * d, gen=gen, dtype=torch.float64, scale=0.2)
        sd[f"{p}_attn.out_proj.weight"] = randn(d, d, gen=gen, dtype=torch.float64, scale=d**-0.5)
        sd[f"{p}_attn.out_proj.bias"] = randn(d, gen=gen, dtype=torch.float64, scale=0.2)
    return sd


def sublayer(sd, p, seq, heads):
    """seq [L, D] float64 -> seq + MHA(LN(seq))."""
    L, D = seq.shape
    d = D // heads
    z = F.layer_norm(seq, (D,), sd[f"{p}_norm.weight"], sd[f"{p}_norm.bias"], 1e-5)
    q, k, v = (z @ sd[f"{p}_attn.in_proj_weight"].T + sd[f"{p}_attn.in_proj_bias"]).split(D, -1)
    outs = []
    for h in range(heads):
        sl = slice(h * d, (h + 1) * d)
        a = torch.softmax(q[:, sl] @ k[:, sl].T / math.sqrt(d), -1)
        outs.append(a @ v[:, sl])
    return seq + torch.cat(outs, -1) @ sd[f"{p}_attn.out_proj.weight"].T + sd[f"{p}_attn.out_proj.bias"]


def oracle(sd, x, heads):
    sd = {k: v.double() for k, v in sd.items()}
    x = x.double().clone()
    B, T, N, _ = x.shape
    for b in range(B):
        for n in range(N):
            x[b, :, n] = sublayer(sd, "temporal", x[b, :, n], heads)
    for b in range(B):
        for t in range(T):
            x[b, t] = sublayer(sd, "spatial", x[b, t], heads)
    return x


def run(cls, sd, x, heads, dtype):
    m = cls(x.shape[-1], heads).to(dtype).eval()
    m.load_state_dict({k: v.to(dtype) for k, v in sd.items()}, strict=True)
    with torch.no_grad():
        return m(x)


def cases():
    g = torch.Generator().manual_seed(81)
    out = []
    for dtype in DTYPES:
        for b, t, n, d, heads in SHAPES:
            sd = weights(d, g)
            x = randn(b, t, n, d, dtype=dtype, gen=g)
            exp = E(oracle({k: v.to(dtype) for k, v in sd.items()}, x, heads), dtype, HALF_TOL.get(dtype))
            out.append(Case(f"{dtype}-BTND h{(b, t, n, d, heads)}", lambda cl, a=(sd, x, heads, dtype): run(cl, *a), exp, [x]))
    return out


if __name__ == "__main__":
    main(__file__, "DividedSpaceTimeAttention", cases())
