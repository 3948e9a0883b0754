"""Shared helpers of the blind2 corpus verifiers: load candidate files, compare with float64 oracles, check labels.

Each tests/blind/<question-id>/_verify.py calls `run(dir, entry, check)`, where `check(fn)` returns the list of
problems found for one candidate (empty = behaves as the prompt asks). A file labelled `wrong` must show at least
one problem, a file labelled `correct` none.
"""
import importlib.util
import pathlib
import sys
import traceback

import torch

TOL = {torch.float64: 1e-9, torch.float32: 1e-4, torch.float16: 2e-2, torch.bfloat16: 8e-2}


def label(path: pathlib.Path) -> str:
    for line in path.read_text().splitlines()[:6]:
        if line.startswith("# blind:"):
            return line.split(":", 1)[1].strip()
    raise ValueError(f"{path}: no '# blind:' header")


def load(path: pathlib.Path, entry: str):
    name = f"blind2_{path.parent.name}_{path.stem}".replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return getattr(mod, entry)


def compare(out, ref: torch.Tensor, dtype: torch.dtype, what: str, tol: float | None = None) -> str | None:
    """None when `out` has ref's shape, `dtype`, and is within tol of ref (relative to ref's largest entry)."""
    if not isinstance(out, torch.Tensor):
        return f"{what}: returned {type(out).__name__}, not a tensor"
    if tuple(out.shape) != tuple(ref.shape):
        return f"{what}: shape {tuple(out.shape)} != {tuple(ref.shape)}"
    if out.dtype != dtype:
        return f"{what}: dtype {out.dtype} != {dtype}"
    o, r = out.detach().double().cpu(), ref.detach().double().cpu()
    if torch.isnan(o).any():
        return f"{what}: NaN in output"
    if torch.isinf(o).any() and not torch.equal(torch.isinf(o), torch.isinf(r)):
        return f"{what}: inf in output"
    fin = torch.isfinite(r)
    err = (o[fin] - r[fin]).abs().max().item() if fin.any() else 0.0
    scale = max(r[fin].abs().max().item() if fin.any() else 0.0, 1e-6)
    tol = TOL[dtype] if tol is None else tol
    if err > tol * scale:
        idx = ((o - r).abs() * fin).flatten().argmax().item()
        return f"{what}: max error {err:.3g} (scale {scale:.3g}, tol {tol:g}) at flat index {idx}"
    return None


def raises(fn, exc, what: str, *args, **kwargs) -> str | None:
    try:
        fn(*args, **kwargs)
    except exc:
        return None
    except Exception as e:  # noqa: BLE001
        return f"{what}: raised {type(e).__name__} ({e}) instead of {exc.__name__}"
    return f"{what}: did not raise {exc.__name__}"


def run(qdir: str | pathlib.Path, entry: str, check, only: list[str] | None = None) -> int:
    qdir = pathlib.Path(qdir)
    files = sorted(p for p in qdir.glob("*.py") if not p.name.startswith("_"))
    if only:
        files = [p for p in files if p.stem in only or p.name in only]
    bad = 0
    for path in files:
        want = label(path)
        try:
            problems = check(load(path, entry))
        except Exception as e:  # noqa: BLE001
            problems = [f"checker crashed: {type(e).__name__}: {e}"]
            traceback.print_exc()
        got = "wrong" if problems else "correct"
        ok = got == want
        bad += not ok
        first = problems[0] if problems else "matches the oracle on every case"
        print(f"{'OK ' if ok else 'BAD'} {want:7s} {path.name:40s} {first}")
    print(f"{len(files) - bad}/{len(files)} labels confirmed in {qdir.name}")
    return 1 if bad else 0


def collect(problems: list, item: str | None, limit: int = 3) -> bool:
    """Append a problem; True once enough are collected to stop checking."""
    if item:
        problems.append(item)
    return len(problems) >= limit
