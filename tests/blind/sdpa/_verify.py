"""Verify the blind2 labels of sdpa against a float64 oracle (bool and float masks, empty rows, no leading dims)."""
import math
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from _harness_blind2 import collect, compare, run  # noqa: E402


def oracle(q, k, v, mask, scale):
    s = q.double() @ k.double().transpose(-1, -2) * (1 / math.sqrt(q.shape[-1]) if scale is None else scale)
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else s + mask.double()
    return torch.nan_to_num(torch.softmax(s, -1), nan=0.0) @ v.double()


def cases():
    g = torch.Generator().manual_seed(9)
    for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
        for lead, Lq, Lk, D, Dv, mkind, scale in [
            ((2, 3), 5, 7, 8, 6, None, None), ((2, 3), 4, 4, 16, 16, "causal", None), ((), 6, 5, 8, 4, None, None),
            ((3,), 1, 6, 8, 8, "pad", None), ((2, 3), 5, 6, 8, 8, "empty", None), ((2, 2), 4, 6, 8, 8, "float", None),
            ((2, 3), 3, 5, 8, 4, "float_empty", None), ((2, 3), 4, 5, 8, 8, None, 0.3), ((2,), 5, 7, 4, 12, "keys1d", None),
        ]:
            q = torch.randn(*lead, Lq, D, generator=g).to(dtype)
            k = torch.randn(*lead, Lk, D, generator=g).to(dtype)
            v = torch.randn(*lead, Lk, Dv, generator=g).to(dtype)
            mask = None
            if mkind == "causal":
                mask = torch.ones(Lq, Lk, dtype=torch.bool).tril(Lk - Lq)
            elif mkind == "pad":
                mask = torch.arange(Lk)[None, None] < torch.tensor([6, 2, 4])[:, None, None]
            elif mkind == "empty":
                mask = torch.rand(*lead, Lq, Lk, generator=g) < 0.5
                mask[0, 1, 2] = False
                mask[1, :, 0] = False
            elif mkind == "float":
                mask = torch.randn(*lead, Lq, Lk, generator=g).to(dtype)
            elif mkind == "float_empty":
                mask = torch.zeros(Lq, Lk)
                mask[1] = float("-inf")
                mask[2, ::2] = float("-inf")
                mask = mask.to(dtype)
            elif mkind == "keys1d":
                mask = torch.tensor([True, True, False, True, False, True, True])
            yield f"{dtype} lead{lead} Lq{Lq} Lk{Lk} D{D} Dv{Dv} mask={mkind} scale={scale}", dtype, q, k, v, mask, scale


def check(fn):
    problems = []
    for name, dtype, q, k, v, mask, scale in cases():
        try:
            out = fn(q, k, v, mask=mask) if scale is None else fn(q, k, v, mask=mask, scale=scale)
        except Exception as e:  # noqa: BLE001
            if collect(problems, f"{name}: raised {type(e).__name__}: {e}"):
                return problems
            continue
        if collect(problems, compare(out, oracle(q, k, v, mask, scale), dtype, name)):
            return problems
    return problems


if __name__ == "__main__":
    sys.exit(run(pathlib.Path(__file__).parent, "scaled_dot_product_attention", check, sys.argv[1:]))
