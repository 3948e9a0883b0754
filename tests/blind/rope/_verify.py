"""Verify the blind2 labels of rope against a float64 oracle. Float32 angles are allowed by the prompt, so the
tolerance is the larger of the dtype's floor and 3x the error of a float32-angle reference."""
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from _harness_blind2 import TOL, collect, compare, raises, run  # noqa: E402


def oracle(x, positions, base, angle_dtype=torch.float64):
    D = x.shape[-1]
    h = D // 2
    theta = torch.tensor(float(base), dtype=torch.float64) ** (-2.0 * torch.arange(h, dtype=torch.float64) / D)
    ang = positions.to(angle_dtype)[:, None] * theta.to(angle_dtype)[None]
    cos, sin = ang.cos().double(), ang.sin().double()
    x1, x2 = x[..., :h].double(), x[..., h:].double()
    return torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin), -1)


def cases():
    g = torch.Generator().manual_seed(7)
    for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
        for shape, pos, base in [
            ((2, 3, 5, 8), torch.arange(5), 10000.0),
            ((2, 3, 4, 16), torch.arange(100, 104), 10000.0),
            ((1, 2, 1, 8), torch.tensor([57]), 10000.0),
            ((6, 32), torch.tensor([4090, 3000, 2047, 5, 0, 1023]), 10000.0),
            ((2, 7, 64), torch.arange(3000, 3007), 10000.0),
            ((3, 2, 4, 2), torch.tensor([3, 9, 1, 700]), 10000.0),
            ((2, 5, 16), torch.arange(2000, 2005), 500000.0),
        ]:
            x = torch.randn(*shape, generator=g).to(dtype)
            yield f"{dtype} x{list(shape)} positions{pos.tolist()[:4]} base={base}", dtype, x, pos, base


def check(fn):
    problems = []
    for name, dtype, x, pos, base in cases():
        x0 = x.clone()
        try:
            out = fn(x, pos, base) if base != 10000.0 else fn(x, pos)
        except Exception as e:  # noqa: BLE001
            if collect(problems, f"{name}: raised {type(e).__name__}: {e}"):
                return problems
            continue
        ref = oracle(x0, pos, base)
        scale = max(ref.abs().max().item(), 1e-6)
        err32 = (oracle(x0, pos, base, torch.float32) - ref).abs().max().item()
        tol = max(TOL[dtype], 3 * err32 / scale)
        if collect(problems, compare(out, ref, dtype, name, tol=tol)):
            return problems
        if not torch.equal(x, x0):
            collect(problems, f"{name}: x modified in place")
    for D in (5, 7):
        collect(problems, raises(fn, ValueError, f"odd D={D}", torch.randn(2, 3, D), torch.arange(3)), 99)
    return problems


if __name__ == "__main__":
    sys.exit(run(pathlib.Path(__file__).parent, "apply_rope", check, sys.argv[1:]))
