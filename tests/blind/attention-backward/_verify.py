"""Blind labels for attention-backward: gradients from float64 torch.autograd; the candidate runs with autograd's
entry points patched to raise (the prompt forbids them); a float16 case with large values where dP overflows
float16 (the prompt demands float32 arithmetic for half inputs)."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, main, randn  # noqa: E402

SHAPES = [(2, 3, 4, 6, 8, 5), (1, 2, 1, 5, 4, 4), (2, 1, 5, 5, 16, 16), (1, 2, 7, 3, 8, 6)]  # B, H, Lq, Lk, D, Dv


def oracle(q, k, v, do, scale):
    q, k, v = (t.double().requires_grad_() for t in (q, k, v))
    s = q.shape[-1] ** -0.5 if scale is None else scale
    out = torch.softmax(q @ k.transpose(-2, -1) * s, -1) @ v
    return torch.autograd.grad(out, (q, k, v), do.double())


def forbidden(*a, **kw):
    raise RuntimeError("autograd is forbidden here")


def no_autograd(f, *args, **kw):
    saved = (torch.autograd.grad, torch.autograd.backward, torch.Tensor.backward)
    torch.autograd.grad = torch.autograd.backward = torch.Tensor.backward = forbidden
    try:
        return f(*args, **kw)
    finally:
        torch.autograd.grad, torch.autograd.backward, torch.Tensor.backward = saved


def cases():
    g = torch.Generator().manual_seed(10)
    out = []
    for dtype in DTYPES:
        for b, h, lq, lk, d, dv in SHAPES:
            for scale in (None, 0.4):
                q, k = randn(b, h, lq, d, dtype=dtype, gen=g), randn(b, h, lk, d, dtype=dtype, gen=g)
                v, do = randn(b, h, lk, dv, dtype=dtype, gen=g), randn(b, h, lq, dv, dtype=dtype, gen=g)
                exp = tuple(E(t, dtype) for t in oracle(q, k, v, do, scale))
                out.append(
                    Case(
                        f"{dtype}-{(b, h, lq, lk, d, dv)}-scale={scale}",
                        lambda f, a=(q, k, v, do), s=scale: no_autograd(f, *a, scale=s),
                        exp,
                        [q, k, v, do],
                    )
                )
    q, k = randn(1, 2, 8, 64, gen=g, dtype=torch.float16), randn(1, 2, 64, 64, gen=g, dtype=torch.float16)
    v, do = (
        randn(1, 2, 64, 64, gen=g, dtype=torch.float16, scale=60),
        randn(1, 2, 8, 64, gen=g, dtype=torch.float16, scale=60),
    )
    exp = tuple(E(t, torch.float16) for t in oracle(q, k, v, do, None))
    out.append(Case("float16-large-dP", lambda f, a=(q, k, v, do): no_autograd(f, *a), exp, [q, k, v, do]))
    return out


if __name__ == "__main__":
    main(__file__, "attention_backward", cases())
