"""Blind labels for gat-layer: weights loaded by name (strict), float64 GAT oracle, directed graphs, isolated nodes."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn  # noqa: E402

# (N, in_dim, out_dim, heads, graph)
SHAPES = [(7, 5, 4, 3, "directed"), (6, 8, 3, 2, "isolated"), (1, 4, 6, 2, "self"), (5, 6, 8, 1, "dense"),
          (9, 3, 5, 4, "directed")]


def graph(n, kind, gen):
    if kind == "dense":
        return torch.ones(n, n, dtype=torch.bool)
    adj = torch.rand(n, n, generator=gen) < 0.4
    adj |= torch.eye(n, dtype=torch.bool)
    if kind == "isolated":
        adj[2] = False  # node 2 attends to nobody (not even itself)
        adj[4, :] = False
        adj[4, 0] = True  # node 4 only sees node 0
    return adj


def oracle(wt, a, h, adj, heads, out_dim, slope):
    n = h.shape[0]
    z = (h.double() @ wt.double().T).view(n, heads, out_dim)
    a = a.double()
    e = (z * a[:, :out_dim]).sum(-1).T[:, :, None] + (z * a[:, out_dim:]).sum(-1).T[:, None, :]
    e = torch.where(e > 0, e, slope * e)
    out = torch.zeros(heads, n, out_dim, dtype=torch.float64)
    for i in range(n):
        nb = adj[i]
        if nb.any():
            p = torch.softmax(e[:, i, nb], dim=-1)  # [H, deg]
            out[:, i] = torch.einsum("hj,jhd->hd", p, z[nb])
    return out.transpose(0, 1).reshape(n, heads * out_dim)


def run(cls, sd, h, adj, dims, dtype, slope):
    m = cls(*dims) if slope is None else cls(*dims, negative_slope=slope)
    m = m.to(dtype)
    m.load_state_dict({k: v.to(dtype) for k, v in sd.items()}, strict=True)
    with torch.no_grad():
        return m(h, adj)


def cases():
    g = torch.Generator().manual_seed(11)
    out = []
    for dtype in DTYPES:
        for n, din, dout, heads, kind in SHAPES:
            for slope in (None, 0.1) if kind == "directed" and n == 7 else (None,):
                sd = {"W.weight": randn(heads * dout, din, gen=g, dtype=torch.float64, scale=din**-0.5),
                      "a": randn(heads, 2 * dout, gen=g, dtype=torch.float64, scale=1.0)}
                h = randn(n, din, dtype=dtype, gen=g, scale=1.5)
                adj = graph(n, kind, g)
                sdr = {k: v.to(dtype) for k, v in sd.items()}
                exp = oracle(sdr["W.weight"], sdr["a"], h, adj, heads, dout, 0.2 if slope is None else slope)
                out.append(Case(f"{dtype}-N{n}-in{din}-out{dout}-H{heads}-{kind}-slope{slope}",
                                lambda c, a=(sd, h, adj, (din, dout, heads), dtype, slope): run(c, *a),
                                E(exp, dtype), [h, adj]))
    return out


if __name__ == "__main__":
    main(__file__, "GATLayer", cases())
