"""Shared runner for the blind corpus verifiers: loads every candidate file of a question and checks its label.

Each question's `_verify.py` builds a list of `Case`s (inputs plus a float64 oracle result or an expected
exception) and calls `verify`. A `# blind: correct` file must pass every case; a `# blind: wrong` file must fail
at least one (wrong value, shape or dtype, NaN, a missing or spurious exception, or a mutated input).
"""

from __future__ import annotations

import importlib.util
import pathlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

TOL = {torch.float64: 1e-9, torch.float32: 2e-5, torch.float16: 4e-3, torch.bfloat16: 3e-2}


@dataclass
class E:
    """An expected tensor: float64 (or exact int/bool) values and the dtype the candidate must return."""

    value: torch.Tensor
    dtype: torch.dtype
    tol: float | None = None


@dataclass
class Raises:
    exc: type = ValueError


@dataclass
class Case:
    name: str
    run: Callable[[Any], Any]
    expect: Any
    inputs: list = field(default_factory=list)  # tensors that must not be mutated


def load(path: pathlib.Path, entry: str):
    spec = importlib.util.spec_from_file_location(f"blind_{path.parent.name.replace('-', '_')}_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return getattr(mod, entry)


def label(path: pathlib.Path) -> str:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# blind: "), path
    return first.split(":", 1)[1].strip()


def compare(out, exp, where="out") -> str | None:
    if isinstance(exp, (tuple, list)):
        if not isinstance(out, (tuple, list)) or len(out) != len(exp):
            return f"{where}: expected a sequence of {len(exp)}, got {type(out).__name__}"
        for i, (o, e) in enumerate(zip(out, exp)):
            err = compare(o, e, f"{where}[{i}]")
            if err:
                return err
        return None
    if isinstance(exp, E):
        if not isinstance(out, torch.Tensor):
            return f"{where}: not a tensor ({type(out).__name__})"
        if tuple(out.shape) != tuple(exp.value.shape):
            return f"{where}: shape {tuple(out.shape)} != {tuple(exp.value.shape)}"
        if out.dtype != exp.dtype:
            return f"{where}: dtype {out.dtype} != {exp.dtype}"
        if not exp.dtype.is_floating_point:
            if not torch.equal(out, exp.value.to(out.dtype)):
                bad = (out != exp.value.to(out.dtype)).nonzero()[:3].tolist()
                return f"{where}: exact values differ at {bad}"
            return None
        o, e = out.detach().double(), exp.value.double()
        if torch.isnan(o).any() and not torch.isnan(e).any():
            return f"{where}: NaN in output"
        inf_e = torch.isinf(e)
        if not torch.equal(torch.isinf(o), inf_e) or not torch.equal(o[inf_e], e[inf_e]):
            return f"{where}: infinities differ"
        fin = ~inf_e
        tol = exp.tol if exp.tol is not None else TOL[exp.dtype]
        diff = (o[fin] - e[fin]).abs()
        bound = tol * (1 + e[fin].abs())
        if diff.numel() and (diff > bound).any():
            ref = e[fin].abs().max().item()
            return f"{where}: max abs error {diff.max().item():.3g} (tol {tol:g}, |ref| max {ref:.3g})"
        return None
    if exp is None:
        return None if out is None else f"{where}: expected None"
    return None if out == exp else f"{where}: {out!r} != {exp!r}"


def run_case(fn, case: Case) -> str | None:
    snap = [t.clone() for t in case.inputs]
    try:
        out = case.run(fn)
    except Exception as exc:  # noqa: BLE001 - the candidate may raise anything
        ok = isinstance(case.expect, Raises) and isinstance(exc, case.expect.exc)
        err = None if ok else f"raised {type(exc).__name__}: {str(exc)[:120]}"
    else:
        err = (
            f"did not raise {case.expect.exc.__name__}"
            if isinstance(case.expect, Raises)
            else compare(out, case.expect)
        )
    for i, (t, s) in enumerate(zip(case.inputs, snap)):
        if not torch.equal(t, s):
            with torch.no_grad():
                t.copy_(s)  # restore, so later files see the original inputs
            err = err or f"input {i} mutated in place"
    return err


def verify(qdir: str | pathlib.Path, entry: str, cases: list[Case]) -> int:
    qdir = pathlib.Path(qdir)
    files = sorted(p for p in qdir.glob("*.py") if not p.name.startswith("_"))
    bad = 0
    print(f"{qdir.name}: {len(files)} files, {len(cases)} cases")
    for path in files:
        lab = label(path)
        torch.manual_seed(0)
        fails = []
        try:
            fn = load(path, entry)
        except Exception as exc:  # noqa: BLE001
            fails.append(("load", f"{type(exc).__name__}: {exc}"))
        else:
            for case in cases:
                err = run_case(fn, case)
                if err:
                    fails.append((case.name, err))
        ok = (not fails) if lab == "correct" else bool(fails)
        bad += not ok
        status = "OK " if ok else "BAD"
        if lab == "correct":
            detail = "passes all cases" if not fails else f"FAILS {fails[0][0]}: {fails[0][1]}"
        else:
            detail = f"{len(fails)}/{len(cases)} fail; first {fails[0][0]}: {fails[0][1]}" if fails else "passes all!"
        print(f"  {status} {lab:7s} {path.name:34s} {detail}")
    print(f"{qdir.name}: {'all labels verified' if not bad else f'{bad} label(s) NOT verified'}")
    return 1 if bad else 0


def main(qfile: str, entry: str, cases: list[Case]) -> None:
    sys.exit(verify(pathlib.Path(qfile).parent, entry, cases))


HALF = (torch.float16, torch.bfloat16)
DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16)


def ref_attention(q, k, v, allowed=None, scale=None, bias=None):
    """float64 softmax attention; `allowed` bool broadcastable to the scores (True = may attend); rows with no
    allowed key give zeros."""
    q, k, v = q.double(), k.double(), v.double()
    scale = q.shape[-1] ** -0.5 if scale is None else scale
    s = q @ k.transpose(-2, -1) * scale
    if bias is not None:
        s = s + bias.double()
    if allowed is not None:
        s = s.masked_fill(~allowed, float("-inf"))
    m = s.amax(-1, keepdim=True)
    m = torch.where(torch.isinf(m), torch.zeros_like(m), m)
    p = torch.exp(s - m)
    den = p.sum(-1, keepdim=True)
    p = torch.where(den > 0, p / den.clamp_min(1e-300), torch.zeros_like(p))
    return p @ v


def causal_allowed(lq, lk, offset=None):
    o = lk - lq if offset is None else offset
    return torch.arange(lk)[None, :] <= (torch.arange(lq)[:, None] + o)


def randn(*shape, dtype=torch.float32, gen=None, scale=1.0):
    return (torch.randn(*shape, generator=gen, dtype=torch.float64) * scale).to(dtype)


def largest_intermediate(fn, *args, **kwargs):
    """Run fn under a dispatch mode; return (result, list of shapes of every tensor any aten op produced)."""
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils._pytree import tree_flatten

    shapes = []

    class Rec(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, a=(), kw=None):
            res = func(*a, **(kw or {}))
            for t in tree_flatten(res)[0]:
                if isinstance(t, torch.Tensor):
                    shapes.append(tuple(t.shape))
            return res

    with Rec():
        res = fn(*args, **kwargs)
    return res, shapes


def quadratic(shapes, per_bh, lq, lk):
    """First recorded shape with >= lq*lk elements per (batch, head), or None."""
    for s in shapes:
        n = 1
        for x in s:
            n *= x
        if n >= per_bh * lq * lk or (len(s) >= 2 and s[-2:] == (lq, lk)):
            return s
    return None
