"""Blind labels for self-attention-tagger: weights loaded by name (strict), float64 oracle on every row (padded
query rows included), right/left padding, a sequence with no real token, mask None, L = 1, every graded dtype."""

import math
import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn, ref_attention  # noqa: E402

SHAPES = [(3, 6, 11, 12, 3, 5), (2, 1, 7, 8, 2, 3), (4, 5, 9, 16, 4, 4), (2, 7, 13, 12, 1, 6)]  # B L V E H T


def weights(vocab, e, tags, gen):
    f = torch.float64
    sd = {"embedding.weight": randn(vocab, e, gen=gen, dtype=f)}
    for n in ("q_proj", "k_proj", "v_proj", "out_proj"):
        sd[f"{n}.weight"] = randn(e, e, gen=gen, dtype=f, scale=e**-0.5 * 1.5)
        sd[f"{n}.bias"] = randn(e, gen=gen, dtype=f, scale=0.2)
    sd["norm.weight"] = 1 + randn(e, gen=gen, dtype=f, scale=0.2)
    sd["norm.bias"] = randn(e, gen=gen, dtype=f, scale=0.2)
    sd["classifier.weight"] = randn(tags, e, gen=gen, dtype=f, scale=e**-0.5)
    sd["classifier.bias"] = randn(tags, gen=gen, dtype=f, scale=0.2)
    return sd


def oracle(sd, ids, mask, h):
    sd = {k: v.double() for k, v in sd.items()}
    x = sd["embedding.weight"][ids]
    b, length, e = x.shape

    def lin(t, n):
        return t @ sd[f"{n}.weight"].T + sd[f"{n}.bias"]

    q, k, v = (lin(x, n).view(b, length, h, e // h).transpose(1, 2) for n in ("q_proj", "k_proj", "v_proj"))
    allowed = None if mask is None else mask[:, None, None, :]
    o = ref_attention(q, k, v, allowed, scale=1 / math.sqrt(e // h)).transpose(1, 2).reshape(b, length, e)
    y = F.layer_norm(x + lin(o, "out_proj"), (e,), sd["norm.weight"], sd["norm.bias"])
    return lin(y, "classifier")


def run(cls, sd, ids, mask, dims, dtype):
    m = cls(*dims).to(dtype)
    m.load_state_dict({k: v.to(dtype) for k, v in sd.items()}, strict=True)
    with torch.no_grad():
        return m(ids) if mask is None else m(ids, mask)


def cases():
    g = torch.Generator().manual_seed(31)
    out = []
    for dtype in DTYPES:
        for b, length, vocab, e, h, tags in SHAPES:
            sd = weights(vocab, e, tags, g)
            sdr = {k: v.to(dtype) for k, v in sd.items()}
            ids = torch.randint(0, vocab, (b, length), generator=g)
            lens = torch.randint(1, length + 1, (b,), generator=g)
            pos = torch.arange(length)[None]
            right = pos < lens[:, None]
            left = pos >= (length - lens)[:, None]
            empty = right.clone()
            empty[-1] = False
            for mn, mask in (("none", None), ("right", right), ("left", left), ("right+empty", empty)):
                out.append(Case(f"{dtype}-{(b, length, vocab, e, h, tags)}-mask={mn}",
                                lambda f, a=(sd, ids, mask, (vocab, e, h, tags), dtype): run(f, *a),
                                E(oracle(sdr, ids, mask, h), dtype), [ids] + ([] if mask is None else [mask])))
    return out


if __name__ == "__main__":
    main(__file__, "SelfAttentionTagger", cases())
