"""Verify the blind2 labels of sdpa-api-conventions against a float64 oracle (padding True = pad, bottom-right)."""
import math
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from _harness_blind2 import collect, compare, run  # noqa: E402


def oracle(q, k, v, kpm, causal):
    Lq, Lk = q.shape[-2], k.shape[-2]
    s = q.double() @ k.double().transpose(-1, -2) / math.sqrt(q.shape[-1])
    keep = torch.ones(q.shape[0], 1, Lq, Lk, dtype=torch.bool)
    if kpm is not None:
        keep = keep & ~kpm[:, None, None, :]
    if causal:
        keep = keep & (torch.arange(Lk)[None] <= torch.arange(Lq)[:, None] + Lk - Lq)
    w = torch.nan_to_num(torch.softmax(s.masked_fill(~keep, float("-inf")), -1), nan=0.0)
    return w @ v.double()


def cases():
    g = torch.Generator().manual_seed(8)
    for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
        for B, H, Lq, Lk, D, Dv, pad, causal in [
            (2, 3, 5, 5, 8, 6, None, False), (2, 3, 5, 5, 8, 8, None, True), (3, 2, 3, 7, 16, 8, None, True),
            (2, 3, 4, 6, 8, 4, "right", False), (3, 3, 1, 6, 8, 8, "right", True), (2, 4, 5, 5, 8, 8, "left", True),
            (3, 2, 4, 7, 8, 5, "left", True), (2, 3, 6, 6, 8, 8, "allpad", False), (3, 3, 6, 6, 4, 4, "right", False),
        ]:
            q = torch.randn(B, H, Lq, D, generator=g).to(dtype)
            k = torch.randn(B, H, Lk, D, generator=g).to(dtype)
            v = torch.randn(B, H, Lk, Dv, generator=g).to(dtype)
            kpm = None
            if pad:
                lens = torch.randint(1, Lk + 1, (B,), generator=g)
                lens[0] = max(1, Lk - 2)
                pos = torch.arange(Lk)[None]
                kpm = pos >= lens[:, None] if pad == "right" else pos < (Lk - lens)[:, None]
                if pad == "allpad":
                    kpm = pos >= lens[:, None]
                    kpm[1] = True
            yield f"{dtype} B{B} H{H} Lq{Lq} Lk{Lk} pad={pad} causal={causal}", dtype, q, k, v, kpm, causal


def check(fn):
    problems = []
    for name, dtype, q, k, v, kpm, causal in cases():
        kpm0 = None if kpm is None else kpm.clone()
        try:
            out = fn(q, k, v, key_padding_mask=kpm, causal=causal)
        except Exception as e:  # noqa: BLE001
            if collect(problems, f"{name}: raised {type(e).__name__}: {e}"):
                return problems
            continue
        if collect(problems, compare(out, oracle(q, k, v, kpm0, causal), dtype, name)):
            return problems
        if kpm is not None and not torch.equal(kpm, kpm0):
            collect(problems, f"{name}: key_padding_mask modified in place")
    return problems


if __name__ == "__main__":
    sys.exit(run(pathlib.Path(__file__).parent, "attention_with_sdpa", check, sys.argv[1:]))
