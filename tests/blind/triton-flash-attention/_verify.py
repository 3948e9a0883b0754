"""Verify the blind2 labels of triton-flash-attention under TRITON_INTERPRET=1 against a float64 oracle, plus a
float16 case whose unnormalised accumulator overflows float16 (Lk = 2048, values near 50) and an SDPA-call watch."""
import math
import os
import pathlib
import sys

os.environ["TRITON_INTERPRET"] = "1"

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from _harness_blind2 import collect, compare, raises, run  # noqa: E402


def oracle(q, k, v, causal, scale):
    Lq, Lk = q.shape[-2], k.shape[-2]
    s = q.double() @ k.double().transpose(-1, -2) * (1 / math.sqrt(q.shape[-1]) if scale is None else scale)
    if causal:
        s = s.masked_fill(~(torch.arange(Lk)[None] <= torch.arange(Lq)[:, None] + Lk - Lq), float("-inf"))
    return torch.nan_to_num(torch.softmax(s, -1), nan=0.0) @ v.double()


def cases():
    g = torch.Generator().manual_seed(14)
    for dtype in (torch.float32, torch.float16):
        for B, H, Lq, Lk, D, causal, scale in [
            (1, 2, 20, 20, 16, False, None), (1, 1, 16, 40, 32, True, None), (1, 2, 33, 17, 16, True, None),
            (2, 1, 1, 50, 64, True, None), (1, 1, 18, 23, 128, False, None), (1, 2, 24, 24, 16, True, 0.3),
        ]:
            q, k, v = (torch.randn(B, H, L, D, generator=g).to(dtype) for L in (Lq, Lk, Lk))
            yield f"{dtype} B{B} H{H} Lq{Lq} Lk{Lk} D{D} causal={causal} scale={scale}", dtype, q, k, v, causal, scale
    q = (0.1 * torch.randn(1, 1, 16, 16, generator=g)).half()
    k = torch.randn(1, 1, 2048, 16, generator=g).half()
    v = (50 + torch.randn(1, 1, 2048, 16, generator=g)).half()
    yield "float16 Lk=2048, values ~50 (float16 accumulator overflows)", torch.float16, q, k, v, False, None


def check(fn):
    problems = []
    calls = []
    real_sdpa = F.scaled_dot_product_attention

    def spy(*args, **kwargs):
        calls.append(1)
        return real_sdpa(*args, **kwargs)

    F.scaled_dot_product_attention = spy
    try:
        for name, dtype, q, k, v, causal, scale in cases():
            try:
                out = fn(q, k, v, causal=causal) if scale is None else fn(q, k, v, causal=causal, scale=scale)
            except Exception as e:  # noqa: BLE001
                if collect(problems, f"{name}: raised {type(e).__name__}: {str(e)[:120]}"):
                    return problems
                continue
            if calls:
                collect(problems, f"{name}: called F.scaled_dot_product_attention")
                calls.clear()
            if collect(problems, compare(out, oracle(q, k, v, causal, scale), dtype, name)):
                return problems
    finally:
        F.scaled_dot_product_attention = real_sdpa
    x16, x48 = torch.randn(1, 1, 16, 16), torch.randn(1, 1, 16, 48)
    for item in (
        raises(fn, ValueError, "D=48", x48, x48, x48),
        raises(fn, ValueError, "D=8", x16[..., :8], x16[..., :8], x16[..., :8]),
        raises(fn, ValueError, "v with last dim 32 for D=16", x16, x16, torch.randn(1, 1, 16, 32)),
    ):
        collect(problems, item, 99)
    return problems


if __name__ == "__main__":
    sys.exit(run(pathlib.Path(__file__).parent, "triton_flash_attention", check, sys.argv[1:]))
