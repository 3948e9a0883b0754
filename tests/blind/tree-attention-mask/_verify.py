"""Verify the blind2 labels of tree-attention-mask against a parent-walking oracle."""
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from _harness_blind2 import collect, raises, run  # noqa: E402


def oracle(parents):
    if parents.dim() == 2:
        return torch.stack([oracle(r) for r in parents])
    n = parents.numel()
    m = torch.zeros(n, n, dtype=torch.bool)
    for i in range(n):
        j = i
        while j != -1:
            m[i, j] = True
            j = int(parents[j])
    return m


def random_tree(n, g, roots=1):
    par = [-1] * n
    for i in range(roots, n):
        par[i] = int(torch.randint(0, i, (1,), generator=g))
    return par


def cases():
    g = torch.Generator().manual_seed(13)
    yield "single node", torch.tensor([-1])
    yield "chain of 6", torch.tensor([-1, 0, 1, 2, 3, 4])
    yield "Medusa-like tree", torch.tensor([-1, 0, 0, 1, 1, 2, 3, 3, 5])
    yield "forest of 3 roots", torch.tensor([-1, -1, 0, 1, -1, 2, 4])
    for n in (5, 12, 20):
        yield f"random tree N={n}", torch.tensor(random_tree(n, g))
    yield "batch of 4 random trees N=10", torch.tensor([random_tree(10, g, roots=1 + b % 2) for b in range(4)])
    yield "batch of 2 (chain, star)", torch.tensor([[-1, 0, 1, 2, 3], [-1, 0, 0, 0, 0]])
    yield "batch of 1", torch.tensor([[-1, 0, 0, 2]])


def check(fn):
    problems = []
    for name, par in cases():
        par0 = par.clone()
        try:
            out = fn(par)
        except Exception as e:  # noqa: BLE001
            if collect(problems, f"{name}: raised {type(e).__name__}: {e}"):
                return problems
            continue
        ref = oracle(par0)
        if not isinstance(out, torch.Tensor) or out.dtype != torch.bool:
            collect(problems, f"{name}: not a bool tensor ({getattr(out, 'dtype', type(out))})")
        elif out.shape != ref.shape:
            collect(problems, f"{name}: shape {tuple(out.shape)} != {tuple(ref.shape)}")
        elif not torch.equal(out, ref):
            bad = (out != ref).nonzero()[0].tolist()
            collect(problems, f"{name}: wrong at {bad} (got {out[tuple(bad)].item()})")
        if not torch.equal(par, par0):
            collect(problems, f"{name}: parents modified in place")
        if len(problems) >= 3:
            return problems
    for what, bad in [
        ("0-D parents", torch.tensor(-1)), ("3-D parents", torch.tensor([[[-1, 0, 1]]])),
        ("parents[2] = 2 (itself)", torch.tensor([-1, 0, 2])), ("parents[1] = 3 (later node)", torch.tensor([-1, 3, 0, 1])),
        ("parents[0] = 0", torch.tensor([0, 0])), ("parents[3] = -2", torch.tensor([-1, 0, 1, -2])),
        ("batched, second tree has parents[2] = 5", torch.tensor([[-1, 0, 1], [-1, 0, 5]])),
    ]:
        collect(problems, raises(fn, ValueError, what, bad), 99)
    return problems


if __name__ == "__main__":
    sys.exit(run(pathlib.Path(__file__).parent, "tree_attention_mask", check, sys.argv[1:]))
