"""Blind labels for bidaf-attention: a per-example float64 oracle, masks with padded words, a question with no real
word, a context with no real word, T != J, every graded dtype, inputs unchanged."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn  # noqa: E402

SHAPES = [(3, 7, 4, 5), (2, 1, 3, 4), (1, 5, 1, 3), (4, 6, 6, 8)]  # B, T, J, d


def oracle(c, q, w, cm, qm):
    c, q, w = c.double(), q.double(), w.double()
    bsz, t, d = c.shape
    jn = q.shape[1]
    cm = torch.ones(bsz, t, dtype=torch.bool) if cm is None else cm
    qm = torch.ones(bsz, jn, dtype=torch.bool) if qm is None else qm
    out = []
    for b in range(bsz):
        s = torch.empty(t, jn, dtype=torch.float64)
        for i in range(t):
            for j in range(jn):
                s[i, j] = w @ torch.cat([c[b, i], q[b, j], c[b, i] * q[b, j]])
        rq, rc = qm[b], cm[b]
        u = torch.zeros(t, d, dtype=torch.float64)
        h = torch.zeros(d, dtype=torch.float64)
        if rq.any():
            u = torch.softmax(s[:, rq], dim=-1) @ q[b, rq]
            if rc.any():
                m = s[:, rq].amax(dim=-1)
                h = torch.softmax(m[rc], dim=0) @ c[b, rc]
        out.append(torch.cat([c[b], u, c[b] * u, c[b] * h], dim=-1))
    return torch.stack(out)


def masks(bsz, t, jn, gen):
    qm = torch.rand(bsz, jn, generator=gen) > 0.35
    qm[:, 0] = True
    cm = torch.rand(bsz, t, generator=gen) > 0.35
    cm[:, 0] = True
    qm[0] = False  # a question with no real word
    if bsz > 1:
        cm[1] = False  # a context with no real word
    return {"none": (None, None), "both": (cm, qm), "q-only": (None, qm), "c-only": (cm, None)}


def cases():
    g = torch.Generator().manual_seed(21)
    out = []
    for dtype in DTYPES:
        for bsz, t, jn, d in SHAPES:
            c, q = randn(bsz, t, d, dtype=dtype, gen=g), randn(bsz, jn, d, dtype=dtype, gen=g)
            w = randn(3 * d, dtype=dtype, gen=g, scale=0.7)
            for mn, (cm, qm) in masks(bsz, t, jn, g).items():
                args = (c, q, w, cm, qm)
                out.append(Case(f"{dtype}-{(bsz, t, jn, d)}-mask={mn}", lambda f, a=args: f(*a),
                                E(oracle(*args), dtype), [c, q, w] + [m for m in (cm, qm) if m is not None]))
    return out


if __name__ == "__main__":
    main(__file__, "bidaf_attention", cases())
