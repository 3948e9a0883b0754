"""Blind labels for tiny-vit: strict state-dict load; float64 oracle (conv patches in row-major order, [CLS] at
position 0, pre-LN blocks with exact GELU, final norm, head on [CLS]); B > 1, N = 1, depth 1-3; the must-raise
images (channels, smaller, croppable, non-square); dtype kept; no mutation."""

import math
import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, Raises, main, randn  # noqa: E402

# img_size, patch, C, d_model, heads, depth, classes, batch
CFGS = [(8, 4, 3, 8, 2, 2, 5, 3), (6, 2, 1, 12, 3, 1, 3, 2), (9, 3, 2, 8, 4, 3, 4, 2), (4, 4, 3, 8, 2, 1, 2, 3),
        (8, 2, 2, 16, 4, 2, 6, 1)]
BAD = [lambda c, s: (2, c + 1, s, s), lambda c, s: (2, c, s - 1, s - 1), lambda c, s: (1, c, s + 1, s + 1),
       lambda c, s: (2, c, s, s + 2), lambda c, s: (1, c, s + 2, s)]


def weights(cfg, gen):
    size, p, c, d, _, depth, classes, _ = cfg
    n = (size // p) ** 2

    def r(*shape, scale):
        return randn(*shape, gen=gen, dtype=torch.float64, scale=scale)

    sd = {"patch_embed.weight": r(d, c, p, p, scale=(c * p * p) ** -0.5), "patch_embed.bias": r(d, scale=0.2),
          "cls_token": r(1, 1, d, scale=0.7), "pos_embed": r(1, n + 1, d, scale=0.5)}
    for i in range(depth):
        b = f"blocks.{i}."
        sd |= {b + "self_attn.in_proj_weight": r(3 * d, d, scale=1.3 * d**-0.5), b + "self_attn.in_proj_bias": r(3 * d, scale=0.2),
               b + "self_attn.out_proj.weight": r(d, d, scale=d**-0.5), b + "self_attn.out_proj.bias": r(d, scale=0.2),
               b + "linear1.weight": r(4 * d, d, scale=d**-0.5), b + "linear1.bias": r(4 * d, scale=0.2),
               b + "linear2.weight": r(d, 4 * d, scale=(4 * d) ** -0.5), b + "linear2.bias": r(d, scale=0.2),
               b + "norm1.weight": 1 + r(d, scale=0.2), b + "norm1.bias": r(d, scale=0.2),
               b + "norm2.weight": 1 + r(d, scale=0.2), b + "norm2.bias": r(d, scale=0.2)}
    sd |= {"norm.weight": 1 + r(d, scale=0.2), "norm.bias": r(d, scale=0.2),
           "head.weight": r(classes, d, scale=d**-0.5), "head.bias": r(classes, scale=0.2)}
    return sd


def oracle(sd, img, cfg):
    sd = {k: v.double() for k, v in sd.items()}
    size, p, _, d, heads, depth, _, _ = cfg
    B = img.shape[0]
    g = size // p
    tok = torch.empty(B, g * g, d, dtype=torch.float64)
    for i in range(g):
        for j in range(g):
            patch = img.double()[:, :, i * p:(i + 1) * p, j * p:(j + 1) * p]
            tok[:, i * g + j] = torch.einsum("bcyx,dcyx->bd", patch, sd["patch_embed.weight"]) + sd["patch_embed.bias"]
    x = torch.cat([sd["cls_token"].expand(B, 1, d), tok], 1) + sd["pos_embed"]
    hd = d // heads
    for i in range(depth):
        b = f"blocks.{i}."
        z = F.layer_norm(x, (d,), sd[b + "norm1.weight"], sd[b + "norm1.bias"], 1e-5)
        q, k, v = (z @ sd[b + "self_attn.in_proj_weight"].T + sd[b + "self_attn.in_proj_bias"]).split(d, -1)
        outs = []
        for h in range(heads):
            sl = slice(h * hd, (h + 1) * hd)
            outs.append(torch.softmax(q[..., sl] @ k[..., sl].transpose(1, 2) / math.sqrt(hd), -1) @ v[..., sl])
        x = x + torch.cat(outs, -1) @ sd[b + "self_attn.out_proj.weight"].T + sd[b + "self_attn.out_proj.bias"]
        z = F.layer_norm(x, (d,), sd[b + "norm2.weight"], sd[b + "norm2.bias"], 1e-5)
        hid = z @ sd[b + "linear1.weight"].T + sd[b + "linear1.bias"]
        hid = 0.5 * hid * (1 + torch.erf(hid / math.sqrt(2)))
        x = x + hid @ sd[b + "linear2.weight"].T + sd[b + "linear2.bias"]
    cls = F.layer_norm(x[:, 0], (d,), sd["norm.weight"], sd["norm.bias"], 1e-5)
    return cls @ sd["head.weight"].T + sd["head.bias"]


def build(cls, sd, cfg, dtype):
    m = cls(*cfg[:7]).to(dtype).eval()
    m.load_state_dict({k: v.to(dtype) for k, v in sd.items()}, strict=True)
    return m


def run(cls, sd, cfg, img, dtype):
    m = build(cls, sd, cfg, dtype)
    with torch.no_grad():
        return m(img)


def cases():
    gen = torch.Generator().manual_seed(91)
    out = []
    for dtype in DTYPES:
        for cfg in CFGS:
            sd = weights(cfg, gen)
            size, _, c, *_, batch = cfg
            img = randn(batch, c, size, size, dtype=dtype, gen=gen)
            exp = E(oracle({k: v.to(dtype) for k, v in sd.items()}, img, cfg), dtype)
            out.append(Case(f"{dtype}-cfg{cfg}", lambda cl, a=(sd, cfg, img, dtype): run(cl, *a), exp, [img]))
            if dtype == torch.float32:
                for k, bad in enumerate(BAD):
                    x = randn(*bad(c, size), dtype=dtype, gen=gen)
                    out.append(Case(f"raise{k}-cfg{cfg}-img{tuple(x.shape)}",
                                    lambda cl, a=(sd, cfg, x, dtype): run(cl, *a), Raises(ValueError), [x]))
    return out


if __name__ == "__main__":
    main(__file__, "TinyViT", cases())
