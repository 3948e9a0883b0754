"""The grader's numeric policy: how far an output may be from the float64 oracle, and how leaves compare.

A float output passes when its error is at most k = 3 times the error of the reference itself run in the
grading dtype (the baseline), plus the rounding floor of that dtype; non-float outputs compare exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch


def max_abs(a: torch.Tensor, b: torch.Tensor) -> float:
    """Max |a - b| over positions where both are finite (0.0 if none)."""
    a64, b64 = a.detach().to("cpu", torch.float64), b.detach().to("cpu", torch.float64)
    both = torch.isfinite(a64) & torch.isfinite(b64)
    return float((a64 - b64).abs()[both].max()) if both.any() else 0.0


def rounding_floor(golden: torch.Tensor, dtype: torch.dtype) -> float:
    """Twice the error of a round trip through `dtype` near the golden values (FA3's floor)."""
    g = golden.detach().to("cpu", torch.float64)
    finite = torch.isfinite(g)
    if not finite.any():
        return 0.0
    g = g[finite]
    r = ((g.to(dtype) + 0.3) - 0.3).to(torch.float64)
    relative = 1e-12 if dtype == torch.float64 else 0.0  # float64: allow reordering of sums
    return 2 * float((r - g).abs().max()) + relative * (1 + float(g.abs().max()))


def tolerance(golden: Any, baseline: Any, dtype: torch.dtype, k: float = 3.0) -> float:
    """k x (same-dtype baseline error) + rounding floor; 0 for non-float leaves."""
    if not (isinstance(golden, torch.Tensor) and golden.is_floating_point()):
        return 0.0
    # the floor is the rounding of the dtype the output comes in (a float32 log-sum-exp stays float32)
    out_dtype = baseline.dtype if isinstance(baseline, torch.Tensor) and baseline.is_floating_point() else dtype
    return k * max_abs(baseline, golden) + rounding_floor(golden, out_dtype)


@dataclass
class Worst:
    """The worst element of a comparison, for messages."""

    index: tuple[int, ...]
    expected: float
    got: float
    abs_err: float
    rel_err: float


def _unravel(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The index of element `flat` of a row-major tensor of `shape`."""
    idx = []
    for size in reversed(shape):
        flat, i = divmod(flat, size)
        idx.append(i)
    return tuple(reversed(idx))


def worst(got: torch.Tensor, expected: torch.Tensor) -> Worst:
    g = got.detach().to("cpu", torch.float64)
    e = expected.detach().to("cpu", torch.float64)
    diff = (g - e).abs()
    diff = torch.where(torch.isfinite(e) & ~torch.isfinite(g), torch.inf, diff)
    diff = torch.nan_to_num(diff, nan=math.inf)
    flat = int(diff.argmax())
    idx = _unravel(flat, tuple(e.shape))  # not torch.unravel_index: its first call imports sympy (seconds)
    ev, gv, d = float(e[idx]), float(g[idx]), float(diff[idx])
    return Worst(idx, ev, gv, d, d / max(abs(ev), 1e-12))


def leaves_close(got: Any, expected: Any, tol: float) -> bool:
    """Same kind, same non-finite pattern, finite values within `tol` (exact for non-floats)."""
    if isinstance(expected, torch.Tensor):
        if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
            return False
        if not expected.is_floating_point():
            return torch.equal(got.detach().cpu().to(expected.dtype), expected.detach().cpu())
        g, e = got.detach().cpu().to(torch.float64), expected.detach().cpu().to(torch.float64)
        same_pattern = torch.equal(torch.isfinite(g), torch.isfinite(e)) and torch.equal(
            torch.isnan(g), torch.isnan(e)) and torch.equal(g[torch.isinf(g)], e[torch.isinf(e)])
        return same_pattern and max_abs(g, e) <= tol
    if isinstance(expected, float) and isinstance(got, (int, float)):
        return abs(got - expected) <= max(tol, 1e-9 * abs(expected))
    return type(got) is type(expected) and got == expected



def tf32_floor(golden: Any, dtype: torch.dtype, device: str) -> float:
    """With TF32 matmuls allowed, any matmul may round its inputs to 10 mantissa bits, whether or not the
    reference's own code path uses one: allow PyTorch's TF32 test tolerance, 1e-3 relative to the output."""
    if not (device == "cuda" and dtype == torch.float32 and torch.backends.cuda.matmul.allow_tf32):
        return 0.0
    if not (isinstance(golden, torch.Tensor) and golden.is_floating_point()):
        return 0.0
    return 1e-3 * max(1.0, finite_absmax(golden))


def finite_absmax(t: torch.Tensor, empty: float = 0.0) -> float:
    """The largest finite |value| of `t` (`empty` when nothing is finite)."""
    finite = t.detach()[torch.isfinite(t.detach())]
    return float(finite.abs().max()) if finite.numel() else empty


def distance(got: list[Any], theirs: list[Any] | str, prep: Any) -> float:
    """How far the candidate's leaves are from a mistake's on one probe (a plan.Prepared: its oracle and
    tolerances), in tolerances (inf: no match). The mistake's own rounding error is allowed for."""
    if isinstance(theirs, str) or len(got) != len(theirs):
        return math.inf
    total = 0.0
    for g, t, e, tol in zip(got, theirs, prep.golden or theirs, prep.tols or [0.0] * len(theirs)):
        g = g.detach() if isinstance(g, torch.Tensor) else g
        tol_m = 0.0
        if isinstance(t, torch.Tensor) and t.is_floating_point() and isinstance(e, torch.Tensor):
            # the mistake's own rounding error grows with its magnitude relative to the oracle's
            mag, ref = finite_absmax(t, empty=1.0), finite_absmax(e, empty=1.0)
            tol_m = max(4 * tol * max(1.0, mag / max(ref, 1e-12)) if tol else 0.0, 1e-6 * mag)
        if not leaves_close(g, t, tol_m):
            return math.inf
        if isinstance(t, torch.Tensor) and t.is_floating_point():
            total += max_abs(g, t) / (tol_m or 1.0)
    return total
