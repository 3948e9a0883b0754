"""Blind labels for hierarchical-attention: weights loaded by name (strict), a per-document float64 oracle, empty
sentences, sentences real by sent_mask but with no real word, an empty document, every graded dtype."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn  # noqa: E402

SHAPES = [(3, 4, 5, 12, 8, 6, 3), (2, 1, 1, 10, 6, 6, 2), (1, 3, 6, 20, 5, 7, 4), (4, 2, 3, 9, 8, 4, 5)]
# B, S, W, vocab, d_model, attn_dim, classes


def weights(vocab, d, a, c, gen):
    f = torch.float64
    return {
        "embedding.weight": randn(vocab, d, gen=gen, dtype=f),
        "word_proj.weight": randn(a, d, gen=gen, dtype=f, scale=d**-0.5),
        "word_proj.bias": randn(a, gen=gen, dtype=f, scale=0.3),
        "word_context.weight": randn(1, a, gen=gen, dtype=f, scale=1.5),
        "sent_proj.weight": randn(a, d, gen=gen, dtype=f, scale=d**-0.5 * 2),
        "sent_proj.bias": randn(a, gen=gen, dtype=f, scale=0.3),
        "sent_context.weight": randn(1, a, gen=gen, dtype=f, scale=1.5),
        "classifier.weight": randn(c, d, gen=gen, dtype=f, scale=d**-0.5),
        "classifier.bias": randn(c, gen=gen, dtype=f, scale=0.5),
    }


def pool(x, real, proj_w, proj_b, ctx):
    w = torch.zeros(x.shape[0], dtype=torch.float64)
    if real.any():
        w[real] = torch.softmax(torch.tanh(x[real] @ proj_w.T + proj_b) @ ctx[0], dim=0)
    return w @ x, w


def oracle(sd, ids, wm, sm):
    sd = {k: v.double() for k, v in sd.items()}
    b, s, w = ids.shape
    wm = torch.ones(b, s, w, dtype=torch.bool) if wm is None else wm
    sm = torch.ones(b, s, dtype=torch.bool) if sm is None else sm
    x = sd["embedding.weight"][ids]
    logits, alphas, betas = [], [], []
    for i in range(b):
        vecs, al = zip(*(pool(x[i, j], wm[i, j], sd["word_proj.weight"], sd["word_proj.bias"],
                              sd["word_context.weight"]) for j in range(s)))
        doc, beta = pool(torch.stack(vecs), sm[i], sd["sent_proj.weight"], sd["sent_proj.bias"],
                         sd["sent_context.weight"])
        logits.append(doc @ sd["classifier.weight"].T + sd["classifier.bias"])
        alphas.append(torch.stack(al))
        betas.append(beta)
    return torch.stack(logits), torch.stack(alphas), torch.stack(betas)


def run(cls, sd, ids, wm, sm, dims, dtype):
    m = cls(*dims).to(dtype)
    m.load_state_dict({k: v.to(dtype) for k, v in sd.items()}, strict=True)
    kw = {k: v for k, v in (("word_mask", wm), ("sent_mask", sm)) if v is not None}
    with torch.no_grad():
        return m(ids, **kw)


def masks(b, s, w, gen):
    lens = torch.randint(0, w + 1, (b, s), generator=gen)
    lens[:, 0] = w
    wm = torch.arange(w)[None, None] < lens[..., None]
    wm[0, -1] = False  # an empty sentence...
    sm = torch.rand(b, s, generator=gen) > 0.3
    sm[:, 0] = True
    sm[0, -1] = True  # ... that sent_mask still calls real
    if b > 1:
        sm[1] = False  # a document with no real sentence
    return {"none": (None, None), "both": (wm, sm), "words-only": (wm, None), "sents-only": (None, sm)}


def cases():
    g = torch.Generator().manual_seed(23)
    out = []
    for dtype in DTYPES:
        for b, s, w, vocab, d, a, c in SHAPES:
            sd = weights(vocab, d, a, c, g)
            sdr = {k: v.to(dtype) for k, v in sd.items()}
            ids = torch.randint(0, vocab, (b, s, w), generator=g)
            for mn, (wm, sm) in masks(b, s, w, g).items():
                lo, al, be = oracle(sdr, ids, wm, sm)
                out.append(Case(f"{dtype}-{(b, s, w, vocab, d, a, c)}-mask={mn}",
                                lambda f, a_=(sd, ids, wm, sm, (vocab, d, a, c), dtype): run(f, *a_),
                                (E(lo, dtype), E(al, dtype), E(be, dtype)),
                                [ids] + [m for m in (wm, sm) if m is not None]))
    return out


if __name__ == "__main__":
    main(__file__, "HierarchicalAttention", cases())
