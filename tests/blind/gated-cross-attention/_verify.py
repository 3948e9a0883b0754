"""Blind labels for gated-cross-attention: weights loaded by name (strict), float64 oracle, identity at gate 0,
gates from the state dict and from gate_init, [B, Lt, Lv] and [B, 1, Lv] masks with empty rows, inputs unchanged."""

import math
import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn, ref_attention  # noqa: E402

SHAPES = [(2, 5, 7, 12, 10, 3), (3, 1, 4, 8, 8, 2), (1, 6, 1, 16, 6, 4), (2, 4, 3, 12, 12, 1)]  # B Lt Lv E Dv H


def weights(e, dv, gen):
    sd = {}
    for name, shape in {"q_proj": (e, e), "k_proj": (e, dv), "v_proj": (e, dv), "out_proj": (e, e)}.items():
        sd[f"{name}.weight"] = randn(*shape, gen=gen, dtype=torch.float64, scale=shape[1] ** -0.5)
    for name in ("attn_norm", "ff_norm"):
        sd[f"{name}.weight"] = 1 + randn(e, gen=gen, dtype=torch.float64, scale=0.2)
        sd[f"{name}.bias"] = randn(e, gen=gen, dtype=torch.float64, scale=0.2)
    sd["ff1.weight"] = randn(4 * e, e, gen=gen, dtype=torch.float64, scale=e**-0.5)
    sd["ff1.bias"] = randn(4 * e, gen=gen, dtype=torch.float64, scale=0.2)
    sd["ff2.weight"] = randn(e, 4 * e, gen=gen, dtype=torch.float64, scale=(4 * e) ** -0.5)
    sd["ff2.bias"] = randn(e, gen=gen, dtype=torch.float64, scale=0.2)
    return sd


def oracle(sd, x, vis, mask, h, ga, gf):
    sd = {k: v.double() for k, v in sd.items()}
    x, vis = x.double(), vis.double()
    b, lt, e = x.shape
    d = e // h

    def ln(t, n):
        return F.layer_norm(t, (e,), sd[f"{n}.weight"], sd[f"{n}.bias"])

    q = (ln(x, "attn_norm") @ sd["q_proj.weight"].T).view(b, lt, h, d).transpose(1, 2)
    k = (vis @ sd["k_proj.weight"].T).view(b, -1, h, d).transpose(1, 2)
    v = (vis @ sd["v_proj.weight"].T).view(b, -1, h, d).transpose(1, 2)
    ctx = ref_attention(q, k, v, None if mask is None else mask[:, None], scale=1 / math.sqrt(d))
    a = ctx.transpose(1, 2).reshape(b, lt, e) @ sd["out_proj.weight"].T
    y = x + math.tanh(ga) * a
    hid = F.gelu(ln(y, "ff_norm") @ sd["ff1.weight"].T + sd["ff1.bias"])
    return y + math.tanh(gf) * (hid @ sd["ff2.weight"].T + sd["ff2.bias"])


def run(cls, sd, x, vis, mask, h, dtype, init):
    e, dv = x.shape[-1], vis.shape[-1]
    m = (cls(e, dv, h) if init is None else cls(e, dv, h, gate_init=init)).to(dtype)
    res = m.load_state_dict({k: v.to(dtype) for k, v in sd.items()}, strict="attn_gate" in sd)
    if "attn_gate" not in sd and sorted([*res.missing_keys, *res.unexpected_keys]) != ["attn_gate", "ff_gate"]:
        raise KeyError(f"state dict mismatch {res}")
    with torch.no_grad():
        return m(x, vis) if mask is None else m(x, vis, visual_mask=mask)


def masks(b, lt, lv, gen):
    per_tok = torch.rand(b, lt, lv, generator=gen) > 0.4
    per_tok[0, 0] = False  # text before the first image
    per_tok[-1, -1, 0] = True
    keys = torch.rand(b, 1, lv, generator=gen) > 0.3
    keys[-1, 0, -1] = True
    if b > 1:
        keys[0] = False  # an item with no visual token at all
    return {"none": None, "per-token": per_tok, "per-key": keys}


def cases():
    g = torch.Generator().manual_seed(17)
    out = []
    for dtype in DTYPES:
        for b, lt, lv, e, dv, h in SHAPES:
            sd = weights(e, dv, g)
            sdr = {k: v.to(dtype) for k, v in sd.items()}
            x, vis = randn(b, lt, e, dtype=dtype, gen=g), randn(b, lv, dv, dtype=dtype, gen=g)
            shape = f"{dtype}-{(b, lt, lv, e, dv, h)}"
            mk = masks(b, lt, lv, g)
            out.append(Case(f"{shape}-default-identity", lambda c, a=(sd, x, vis, mk["per-token"], h, dtype, None):
                            run(c, *a), E(x.double(), dtype, tol=0.0), [x, vis]))
            ginit = float(torch.tensor(0.6).to(dtype))
            out.append(Case(f"{shape}-gate_init=0.6", lambda c, a=(sd, x, vis, None, h, dtype, 0.6): run(c, *a),
                            E(oracle(sdr, x, vis, None, h, ginit, ginit), dtype), [x, vis]))
            for mn, mask in mk.items():
                ga, gf = 0.8, -1.3
                sdg = {**sd, "attn_gate": torch.tensor([ga]).double(), "ff_gate": torch.tensor([gf]).double()}
                gar, gfr = (float(torch.tensor(t).to(dtype)) for t in (ga, gf))
                out.append(Case(f"{shape}-gates=({ga},{gf})-mask={mn}",
                                lambda c, a=(sdg, x, vis, mask, h, dtype, None): run(c, *a),
                                E(oracle(sdr, x, vis, mask, h, gar, gfr), dtype),
                                [x, vis] + ([] if mask is None else [mask])))
    return out


if __name__ == "__main__":
    main(__file__, "GatedCrossAttention", cases())
