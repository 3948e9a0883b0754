"""Verify the blind2 labels of sliding-window-attention against a float64 band-mask oracle."""
import math
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from _harness_blind2 import collect, compare, raises, run  # noqa: E402


def oracle(q, k, v, window, causal):
    Lq, Lk = q.shape[-2], k.shape[-2]
    p = torch.arange(Lk - Lq, Lk)[:, None]
    j = torch.arange(Lk)[None]
    allowed = ((j <= p) & (j > p - window)) if causal else ((p - j).abs() < window)
    s = q.double() @ k.double().transpose(-1, -2) / math.sqrt(q.shape[-1])
    return torch.softmax(s.masked_fill(~allowed, float("-inf")), -1) @ v.double()


def cases():
    g = torch.Generator().manual_seed(11)
    for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
        for B, H, Lq, Lk, D, Dv, window, causal in [
            (2, 3, 6, 6, 8, 8, 3, True), (2, 3, 6, 6, 8, 4, 2, False), (1, 2, 3, 9, 16, 8, 4, True),
            (2, 3, 4, 10, 8, 8, 3, False), (2, 2, 1, 7, 8, 8, 5, True), (2, 2, 5, 5, 8, 8, 1, True),
            (2, 2, 5, 5, 8, 8, 1, False), (1, 3, 7, 7, 8, 8, 20, False), (2, 2, 8, 8, 4, 6, 8, True),
        ]:
            q = torch.randn(B, H, Lq, D, generator=g).to(dtype)
            k = torch.randn(B, H, Lk, D, generator=g).to(dtype)
            v = torch.randn(B, H, Lk, Dv, generator=g).to(dtype)
            yield f"{dtype} B{B} H{H} Lq{Lq} Lk{Lk} D{D} Dv{Dv} window={window} causal={causal}", dtype, q, k, v, window, \
                causal


def check(fn):
    problems = []
    for name, dtype, q, k, v, window, causal in cases():
        try:
            out = fn(q, k, v, window, causal=causal)
        except Exception as e:  # noqa: BLE001
            if collect(problems, f"{name}: raised {type(e).__name__}: {e}"):
                return problems
            continue
        if collect(problems, compare(out, oracle(q, k, v, window, causal), dtype, name)):
            return problems
    q, k = torch.randn(1, 2, 5, 8), torch.randn(1, 2, 3, 8)
    for item in (
        raises(fn, ValueError, "window=0", q, q, q, 0),
        raises(fn, ValueError, "window=-2 (non-causal)", q, q, q, -2, causal=False),
        raises(fn, ValueError, "Lq=5 > Lk=3", q, k, k, 2),
    ):
        collect(problems, item, 99)
    return problems


if __name__ == "__main__":
    sys.exit(run(pathlib.Path(__file__).parent, "sliding_window_attention", check, sys.argv[1:]))
