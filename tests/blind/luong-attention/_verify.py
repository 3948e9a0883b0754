"""Verify the blind2 labels of luong-attention against a float64 oracle written from the prompt."""
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from _harness_blind2 import collect, compare, raises, run  # noqa: E402


def oracle(dec_h, enc_out, score, w, mask):
    h, enc = dec_h.double(), enc_out.double()
    q = h if score == "dot" else h @ w.double()
    e = torch.einsum("be,ble->bl", q, enc)
    if mask is not None:
        e = e.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(torch.softmax(e, dim=-1), nan=0.0)
    return torch.einsum("bl,ble->be", weights, enc), weights


def cases():
    g = torch.Generator().manual_seed(0)
    for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
        for B, L, Dd, De, score, masking in [
            (3, 7, 8, 8, "dot", None), (2, 5, 6, 10, "general", None), (4, 9, 12, 12, "general", "pad"),
            (3, 1, 8, 8, "dot", "pad"), (5, 6, 8, 8, "dot", "empty"), (2, 11, 4, 7, "general", "empty"),
            (1, 4, 8, 8, "dot", "random"),
        ]:
            dec = (torch.randn(B, Dd, generator=g) * 0.5).to(dtype)
            enc = (torch.randn(B, L, De, generator=g) * 0.5).to(dtype)
            w = (torch.randn(Dd, De, generator=g) / De ** 0.5).to(dtype) if score == "general" else None
            mask = None
            if masking == "pad":
                lens = torch.randint(1, L + 1, (B,), generator=g)
                mask = torch.arange(L)[None] < lens[:, None]
            elif masking == "random":
                mask = torch.rand(B, L, generator=g) < 0.6
                mask[:, 0] = True
            elif masking == "empty":
                mask = torch.rand(B, L, generator=g) < 0.5
                mask[0] = False
            yield f"{dtype} B{B} L{L} Dd{Dd} De{De} {score} mask={masking}", dtype, dec, enc, score, w, mask


def check(fn):
    problems = []
    for name, dtype, dec, enc, score, w, mask in cases():
        dec0, enc0 = dec.clone(), enc.clone()
        try:
            ctx, wts = fn(dec, enc, score, w=w, mask=mask)
        except Exception as e:  # noqa: BLE001
            if collect(problems, f"{name}: raised {type(e).__name__}: {e}"):
                return problems
            continue
        rc, rw = oracle(dec, enc, score, w, mask)
        for item in (compare(ctx, rc, dtype, f"{name} context"), compare(wts, rw, dtype, f"{name} weights")):
            if collect(problems, item):
                return problems
        if not (torch.equal(dec, dec0) and torch.equal(enc, enc0)):
            collect(problems, f"{name}: inputs modified")
    d, e = torch.randn(2, 4), torch.randn(2, 3, 4)
    for item in (
        raises(fn, ValueError, "unknown score 'concat'", d, e, "concat"),
        raises(fn, ValueError, "unknown score 'DOT'", d, e, "DOT"),
        raises(fn, ValueError, "general without w", d, e, "general"),
        raises(fn, ValueError, "dot with Dd != De", torch.randn(2, 5), e, "dot"),
    ):
        collect(problems, item, limit=99)
    return problems


if __name__ == "__main__":
    sys.exit(run(pathlib.Path(__file__).parent, "luong_attention", check, sys.argv[1:]))
