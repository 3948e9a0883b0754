"""Blind labels for flash-attention: float64 oracle for out and lse (lse compared at float32 accuracy whatever the
input dtype), bottom-right causal, zeros / -inf for rows with no key, and no [Lq, Lk]-sized intermediate."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import DTYPES, Case, E, causal_allowed, largest_intermediate, main, quadratic, randn, ref_attention  # noqa: E402

# (B, H, Lq, Lk, D, Dv, block)
SHAPES = [
    (2, 3, 5, 37, 8, 5, 16),
    (1, 2, 1, 20, 4, 4, 64),
    (2, 1, 6, 6, 16, 3, 4),
    (1, 2, 9, 4, 8, 8, 3),
    (1, 1, 40, 40, 8, 6, 7),
    (1, 3, 3, 130, 4, 8, 32),
]


def oracle(q, k, v, causal, scale):
    lq, lk = q.shape[-2], k.shape[-2]
    allowed = causal_allowed(lq, lk) if causal else None
    out = ref_attention(q, k, v, allowed, scale)
    s = q.double() @ k.double().transpose(-2, -1) * (q.shape[-1] ** -0.5 if scale is None else scale)
    if allowed is not None:
        s = s.masked_fill(~allowed, float("-inf"))
    return out, torch.logsumexp(s, dim=-1)


def memory_run(f, q, k, v, causal, block):
    (out, lse), shapes = largest_intermediate(f, q, k, v, causal=causal, block_size=block)
    bad = quadratic(shapes, q.shape[0] * q.shape[1], q.shape[-2], k.shape[-2])
    if bad:
        raise MemoryError(f"created a tensor of shape {bad}")
    return out, lse


def cases():
    g = torch.Generator().manual_seed(4)
    out = []
    for dtype in DTYPES:
        lse_t = torch.float64 if dtype == torch.float64 else torch.float32
        for b, h, lq, lk, d, dv, blk in SHAPES:
            for causal in (False, True):
                for scale in (None, 0.3):
                    q, k, v = (
                        randn(b, h, lq, d, dtype=dtype, gen=g, scale=2.0),
                        randn(b, h, lk, d, dtype=dtype, gen=g),
                        randn(b, h, lk, dv, dtype=dtype, gen=g),
                    )
                    o, lse = oracle(q, k, v, causal, scale)
                    exp = (E(o, dtype), E(lse, lse_t, tol=1e-9 if dtype == torch.float64 else 2e-5))
                    name = f"{dtype}-{(b, h, lq, lk, d, dv, blk)}-causal={causal}-scale={scale}"
                    out.append(
                        Case(
                            name,
                            lambda f, q=q, k=k, v=v, c=causal, s=scale, bl=blk: f(
                                q, k, v, causal=c, block_size=bl, scale=s
                            ),
                            exp,
                            [q, k, v],
                        )
                    )
    # memory: no tensor with Lq*Lk elements per (batch, head)
    for causal in (False, True):
        q, k, v = randn(2, 2, 48, 8, gen=g), randn(2, 2, 96, 8, gen=g), randn(2, 2, 96, 4, gen=g)
        o, lse = oracle(q, k, v, causal, None)
        out.append(
            Case(
                f"memory-causal={causal}",
                lambda f, q=q, k=k, v=v, c=causal: memory_run(f, q, k, v, c, 16),
                (E(o, torch.float32), E(lse, torch.float32)),
                [q, k, v],
            )
        )
    return out


if __name__ == "__main__":
    main(__file__, "flash_attention", cases())
