"""Blind labels for temporal-attention: strict state-dict load; float64 oracle that runs the LSTM over each
series cut to its observed prefix; unsorted lengths, length 1, full length, garbage (large, inf, NaN) in padded
steps; dtype kept; no mutation."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn  # noqa: E402

# B, T, F, hidden, horizon, layers, padding content
SHAPES = [(3, 6, 4, 5, 3, 2, "random"), (4, 5, 3, 6, 2, 1, "large"), (1, 4, 2, 4, 1, 2, "random"),
          (5, 7, 3, 4, 4, 3, "nan"), (2, 1, 3, 5, 2, 2, "random"), (6, 3, 2, 3, 3, 2, "random")]


def weights(f, hid, horizon, layers, gen):
    sd = {}
    for layer in range(layers):
        fin = f if layer == 0 else hid
        sd[f"lstm.weight_ih_l{layer}"] = randn(4 * hid, fin, gen=gen, dtype=torch.float64, scale=0.6)
        sd[f"lstm.weight_hh_l{layer}"] = randn(4 * hid, hid, gen=gen, dtype=torch.float64, scale=0.6)
        sd[f"lstm.bias_ih_l{layer}"] = randn(4 * hid, gen=gen, dtype=torch.float64, scale=0.3)
        sd[f"lstm.bias_hh_l{layer}"] = randn(4 * hid, gen=gen, dtype=torch.float64, scale=0.3)
    sd["attn.weight"] = randn(hid, hid, gen=gen, dtype=torch.float64, scale=2 * hid**-0.5)
    sd["head.weight"] = randn(horizon, 2 * hid, gen=gen, dtype=torch.float64, scale=(2 * hid) ** -0.5)
    sd["head.bias"] = randn(horizon, gen=gen, dtype=torch.float64, scale=0.3)
    return sd


def lstm_ref(sd, x, layers):
    """Plain float64 LSTM over x [n, F] (gate order i, f, g, o); returns the top layer's outputs [n, H]."""
    seq = x
    for layer in range(layers):
        wi, wh = sd[f"lstm.weight_ih_l{layer}"], sd[f"lstm.weight_hh_l{layer}"]
        bias = sd[f"lstm.bias_ih_l{layer}"] + sd[f"lstm.bias_hh_l{layer}"]
        hid = wh.shape[1]
        h = torch.zeros(hid, dtype=torch.float64)
        c = torch.zeros(hid, dtype=torch.float64)
        outs = []
        for t in range(seq.shape[0]):
            i, f, g, o = (wi @ seq[t] + wh @ h + bias).split(hid)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            outs.append(h)
        seq = torch.stack(outs)
    return seq


def oracle(sd, x, mask, layers):
    sd = {k: v.double() for k, v in sd.items()}
    B, T, _ = x.shape
    ys, ws = [], []
    for b in range(B):
        n = int(mask[b].sum())
        h = lstm_ref(sd, x[b, :n].double(), layers)
        q = h[-1]
        w = torch.softmax((h @ sd["attn.weight"].T) @ q, 0)
        ys.append(torch.cat([w @ h, q]) @ sd["head.weight"].T + sd["head.bias"])
        ws.append(torch.cat([w, torch.zeros(T - n, dtype=torch.float64)]))
    return torch.stack(ys), torch.stack(ws)


def make(b, t, f, kind, dtype, gen):
    lens = torch.randint(1, t + 1, (b,), generator=gen)
    if b >= 3:
        lens[0], lens[1], lens[2] = max(1, t - 2), t, 1  # unsorted, full length and length 1
    mask = torch.arange(t)[None] < lens[:, None]
    x = randn(b, t, f, dtype=torch.float64, gen=gen)
    if kind == "large":
        x[~mask] = 1e4
    if kind == "nan":
        x[~mask] = float("nan")
        x[~mask & (torch.arange(t)[None] % 2 == 0)] = float("inf")
    return x.to(dtype), mask


def run(cls, sd, dims, x, mask, dtype):
    m = (cls(*dims[:3]) if dims[3] == 2 else cls(*dims)).to(dtype)
    m.load_state_dict({k: v.to(dtype) for k, v in sd.items()}, strict=True)
    snap = x.clone()
    with torch.no_grad():
        out = m(x, mask)
    return out if torch.allclose(x, snap, rtol=0, atol=0, equal_nan=True) else "input x mutated in place"


def cases():
    g = torch.Generator().manual_seed(71)
    out = []
    for dtype in DTYPES:
        for b, t, f, hid, horizon, layers, kind in SHAPES:
            sd = weights(f, hid, horizon, layers, g)
            x, mask = make(b, t, f, kind, dtype, g)
            ref = oracle({k: v.to(dtype) for k, v in sd.items()}, x, mask, layers)
            exp = (E(ref[0], dtype), E(ref[1], dtype))
            args = (sd, (f, hid, horizon, layers), x, mask, dtype)
            out.append(Case(f"{dtype}-BTFHhL{(b, t, f, hid, horizon, layers)}-{kind}",
                            lambda cl, a=args: run(cl, *a), exp, [mask]))
    for b, t, f, hid, horizon, layers, kind in SHAPES[:2]:
        sd = weights(f, hid, horizon, layers, g)
        x, mask = make(b, t, f, kind, torch.float64, g)
        r1, r2 = randn(b, horizon, gen=g, dtype=torch.float64), randn(b, t, gen=g, dtype=torch.float64)
        ref = {k: v.clone().requires_grad_() for k, v in sd.items()}
        y, w = oracle(ref, x, mask, layers)
        ((y * r1).sum() + (w * r2).sum()).backward()
        exp = tuple(E(ref[k].grad, torch.float64, 1e-7) for k in sorted(sd))
        out.append(Case(f"gradients-BTFHhL{(b, t, f, hid, horizon, layers)}",
                        lambda cl, a=(sd, (f, hid, horizon, layers), x, mask, r1, r2): grads(cl, *a), exp, [mask]))
    return out


def grads(cls, sd, dims, x, mask, r1, r2):
    """Parameter gradients of a random linear function of (y, weights), float64: the module must be trainable."""
    m = (cls(*dims[:3]) if dims[3] == 2 else cls(*dims)).double()
    m.load_state_dict(sd, strict=True)
    y, w = m(x, mask)
    ((y * r1).sum() + (w * r2).sum()).backward()
    named = dict(m.named_parameters())
    return tuple(named[k].grad for k in sorted(sd))


if __name__ == "__main__":
    main(__file__, "TemporalAttentionForecaster", cases())
