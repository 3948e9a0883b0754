"""Verify the blind2 labels of ring-attention-merge: float64 oracle over the concatenated keys, plus the rules
(no [Lq, total Lk] intermediate, no concatenated K, log-sum-exp-shaped tensors never in half precision)."""
import math
import pathlib
import sys

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from _harness_blind2 import collect, compare, raises, run  # noqa: E402


class Watch(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.outputs = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in tree_flatten(out)[0]:
            if isinstance(t, torch.Tensor):
                self.outputs.append((str(func), tuple(t.shape), t.dtype))
        return out


def oracle(q, ks, vs, scale):
    k = torch.cat([t.double() for t in ks], -2)
    v = torch.cat([t.double() for t in vs], -2)
    s = q.double() @ k.transpose(-1, -2) * (1 / math.sqrt(q.shape[-1]) if scale is None else scale)
    return torch.softmax(s, -1) @ v


def cases():
    g = torch.Generator().manual_seed(5)
    for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
        for B, H, Lq, lens, D, Dv, scale in [
            (2, 3, 5, [4, 6, 3], 8, 6, None), (1, 2, 1, [7], 16, 16, None), (2, 3, 4, [0, 5, 0, 6], 8, 4, None),
            (2, 3, 6, [3, 3, 3, 3, 3], 8, 8, 0.7), (1, 4, 9, [12, 1], 32, 8, None),
        ]:
            q = torch.randn(B, H, Lq, D, generator=g).to(dtype)
            ks = [torch.randn(B, H, n, D, generator=g).to(dtype) for n in lens]
            vs = [torch.randn(B, H, n, Dv, generator=g).to(dtype) for n in lens]
            yield f"{dtype} B{B} H{H} Lq{Lq} shards{lens} D{D} Dv{Dv} scale={scale}", dtype, q, ks, vs, scale


def rules(fn, problems):
    """Large shards: no tensor with total-Lk columns, no half tensor shaped like a per-row statistic."""
    g = torch.Generator().manual_seed(6)
    B, H, Lq, D, Dv, lens = 1, 2, 16, 16, 8, [40, 40, 40]
    for dtype in (torch.float32, torch.float16, torch.bfloat16):
        q = torch.randn(B, H, Lq, D, generator=g).to(dtype)
        ks = [torch.randn(B, H, n, D, generator=g).to(dtype) for n in lens]
        vs = [torch.randn(B, H, n, Dv, generator=g).to(dtype) for n in lens]
        watch = Watch()
        with watch:
            fn(q, ks, vs)
        total = sum(lens)
        for op, shape, dt in watch.outputs:
            if total in shape:
                problems.append(f"{dtype}: {op} produced {shape}: a tensor over all {total} keys at once")
                return
            if dtype in (torch.float16, torch.bfloat16) and dt == dtype and shape in ((B, H, Lq), (B, H, Lq, 1)):
                problems.append(f"{dtype}: {op} produced a per-row statistic {shape} in {dt} (lse in half)")
                return


def check(fn):
    problems = []
    for name, dtype, q, ks, vs, scale in cases():
        try:
            out = fn(q, ks, vs) if scale is None else fn(q, ks, vs, scale=scale)
        except Exception as e:  # noqa: BLE001
            if collect(problems, f"{name}: raised {type(e).__name__}: {e}"):
                return problems
            continue
        if collect(problems, compare(out, oracle(q, ks, vs, scale), dtype, name)):
            return problems
    rules(fn, problems)
    q = torch.randn(1, 2, 3, 8)
    k, v = torch.randn(1, 2, 4, 8), torch.randn(1, 2, 4, 8)
    for item in (
        raises(fn, ValueError, "lists of different length", q, [k, k], [v]),
        raises(fn, ValueError, "empty lists", q, [], []),
        raises(fn, ValueError, "key/value shard lengths differ", q, [k], [v[:, :, :3]]),
        raises(fn, ValueError, "all shards empty", q, [k[:, :, :0]] * 2, [v[:, :, :0]] * 2),
    ):
        collect(problems, item, 99)
    return problems


if __name__ == "__main__":
    sys.exit(run(pathlib.Path(__file__).parent, "ring_attention", check, sys.argv[1:]))
