"""Blind labels for location-sensitive-attention: strict state-dict load, float64 oracle with the location
convolution of the cumulative weights, padded frames exactly 0, empty utterances, B == T shapes, cum_weights
left untouched, dtype kept."""

import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn  # noqa: E402

# B, T, Dq, Dm, A, n_filters, kernel, mask kind
SHAPES = [(2, 7, 6, 5, 8, 4, 3, "right"), (3, 5, 4, 6, 6, 3, 5, "none"), (4, 4, 5, 3, 4, 2, 3, "empty"),
          (1, 1, 3, 4, 5, 2, 3, "none"), (3, 9, 8, 8, 8, 5, 7, "random"), (2, 6, 4, 4, 6, 1, 1, "right")]


def weights(dq, dm, a, nf, k, gen):
    return {
        "query_layer.weight": randn(a, dq, gen=gen, dtype=torch.float64, scale=dq**-0.5),
        "memory_layer.weight": randn(a, dm, gen=gen, dtype=torch.float64, scale=dm**-0.5),
        "location_conv.weight": randn(nf, 1, k, gen=gen, dtype=torch.float64, scale=2.0),
        "location_layer.weight": randn(a, nf, gen=gen, dtype=torch.float64, scale=nf**-0.5),
        "v.weight": randn(1, a, gen=gen, dtype=torch.float64, scale=2 * a**-0.5),
    }


def oracle(sd, query, memory, cum, mask):
    sd = {k: v.double() for k, v in sd.items()}
    B, T, _ = memory.shape
    k = sd["location_conv.weight"].shape[-1]
    loc = F.conv1d(cum.double()[:, None], sd["location_conv.weight"], padding=(k - 1) // 2)  # [B, F, T]
    f = loc.transpose(1, 2) @ sd["location_layer.weight"].T
    pre = (query.double() @ sd["query_layer.weight"].T)[:, None] + memory.double() @ sd["memory_layer.weight"].T + f
    e = (torch.tanh(pre) @ sd["v.weight"].T)[..., 0]
    w = torch.zeros(B, T, dtype=torch.float64)
    for b in range(B):
        real = torch.ones(T, dtype=torch.bool) if mask is None else mask[b]
        if real.any():
            w[b, real] = torch.softmax(e[b, real], 0)
    return (w[..., None] * memory.double()).sum(1), w


def make_mask(b, t, kind, gen):
    if kind == "none":
        return None
    if kind == "right":
        lens = torch.randint(1, t + 1, (b,), generator=gen)
        lens[0] = t
        return torch.arange(t)[None] < lens[:, None]
    m = torch.rand(b, t, generator=gen) < 0.6
    m[:, 0] = True
    if kind == "empty":
        m[1] = False
    return m


def run(cls, sd, dims, query, memory, cum, mask, dtype, padded=False):
    m = cls(*dims).to(dtype)
    m.load_state_dict({k: v.to(dtype) for k, v in sd.items()}, strict=True)
    with torch.no_grad():
        out = m(query, memory, cum) if mask is None else m(query, memory, cum, mask)
    return out[1][~mask].float() if padded else out


def cases():
    g = torch.Generator().manual_seed(61)
    out = []
    for dtype in DTYPES:
        for b, t, dq, dm, a, nf, k, kind in SHAPES:
            sd = weights(dq, dm, a, nf, k, g)
            query = randn(b, dq, dtype=dtype, gen=g)
            memory = randn(b, t, dm, dtype=dtype, gen=g)
            cum = (torch.rand(b, t, generator=g, dtype=torch.float64) * 2).to(dtype)
            mask = make_mask(b, t, kind, g)
            ref = oracle({n: v.to(dtype) for n, v in sd.items()}, query, memory, cum, mask)
            args = (sd, (dq, dm, a, nf, k), query, memory, cum, mask, dtype)
            inputs = [query, memory, cum] + ([mask] if mask is not None else [])
            name = f"{dtype}-BTDqDmAFk{(b, t, dq, dm, a, nf, k)}-{kind}"
            out.append(Case(name, lambda cl, x=args: run(cl, *x), (E(ref[0], dtype), E(ref[1], dtype)), inputs))
            if mask is not None and (~mask).any():
                zeros = torch.zeros(int((~mask).sum()), dtype=torch.float64)
                out.append(Case(name + "-padded-exactly-0", lambda cl, x=args: run(cl, *x, padded=True),
                                E(zeros, torch.float32, 0.0), inputs))
    return out


if __name__ == "__main__":
    main(__file__, "LocationSensitiveAttention", cases())
