"""Verify the blind2 labels of stable-masked-softmax: float64 oracle on large logits, broadcast masks, any dim, plus
an op-level watch that no exp/sum/div/softmax runs in float16 or bfloat16."""
import pathlib
import sys

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from _harness_blind2 import collect, compare, run  # noqa: E402

HALF = (torch.float16, torch.bfloat16)
ARITH = ("exp", "sum", "div", "softmax", "logsumexp", "sub", "log")


class Watch(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.half_ops = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func.__name__.split(".")[0].lstrip("_")
        if any(name.startswith(a) for a in ARITH):
            for t in tree_flatten((args, kwargs))[0]:
                if isinstance(t, torch.Tensor) and t.dtype in HALF and t.numel() > 1:
                    self.half_ops.append(f"{func}({t.dtype})")
                    break
        return func(*args, **(kwargs or {}))


def oracle(scores, mask, dim):
    x = scores.double().masked_fill(~mask, float("-inf"))
    return torch.nan_to_num(torch.softmax(x, dim=dim), nan=0.0)


def cases():
    g = torch.Generator().manual_seed(12)
    for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
        for shape, mshape, dim, mult, kind in [
            ((4, 7), (4, 7), -1, 1.0, "rand"), ((2, 3, 5, 6), (2, 1, 1, 6), -1, 1.0, "rand"),
            ((3, 8), (3, 8), -1, 300.0, "rand"), ((2, 5, 6), (5, 6), 1, 1.0, "empty"),
            ((4, 6), (1, 6), 0, 1.0, "rand"), ((2, 3, 9), (2, 3, 9), -1, 200.0, "empty"),
            ((3, 6), (3, 6), -1, 1.0, "bigmasked"), ((5, 4), (5, 4), -2, 1.0, "empty"), ((1, 1), (1, 1), -1, 1.0, "all"),
        ]:
            s = (torch.randn(*shape, generator=g) * mult)
            if kind == "bigmasked":
                m = torch.ones(mshape, dtype=torch.bool)
                m[:, 0] = False
                s[:, 0] = 500.0
            else:
                m = torch.rand(mshape, generator=g) < 0.6
                if kind == "all":
                    m[:] = True
                elif kind == "empty":
                    idx = [slice(None)] * len(mshape)
                    idx[dim if dim >= 0 else len(mshape) + dim] = slice(None)
                    idx[0] = 0
                    idx[-1 if dim not in (-1, len(mshape) - 1) else -2] = 0
                    m[tuple(idx)] = False
            yield f"{dtype} scores{list(shape)} mask{list(mshape)} dim={dim} x{mult} {kind}", dtype, s.to(dtype), m, dim


def check(fn):
    problems = []
    for name, dtype, s, m, dim in cases():
        s0 = s.clone()
        watch = Watch()
        try:
            with watch:
                out = fn(s, m) if dim == -1 else fn(s, m, dim=dim)
        except Exception as e:  # noqa: BLE001
            if collect(problems, f"{name}: raised {type(e).__name__}: {e}"):
                return problems
            continue
        if collect(problems, compare(out, oracle(s0, m, dim), dtype, name)):
            return problems
        if not torch.equal(s, s0):
            collect(problems, f"{name}: scores modified in place")
        if watch.half_ops:
            collect(problems, f"{name}: arithmetic in half precision: {watch.half_ops[:3]}")
    return problems


if __name__ == "__main__":
    sys.exit(run(pathlib.Path(__file__).parent, "masked_softmax", check, sys.argv[1:]))
