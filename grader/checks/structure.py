"""Values and structure: the outputs' structure and shapes, their values against the oracle, the documented
exceptions for invalid inputs, and arguments left unmodified."""

from __future__ import annotations

import math
from typing import Any

import torch

from ..invoke import BadOutput, CandidateError, describe
from ..outcome import CheckResult
from ..plan import Prepared
from ..tolerance import leaves_close, max_abs, worst
from .base import Context, Outputs, Params, check, fail, ok, skip, where


@check("output_shape")
def output_shape(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
    """Every case runs (a crash on one, raised at the end, hides no wrong shape on another), so that the
    diagnosis can compare a wrong-shape mistake on all of them."""
    first: CheckResult | None = None
    crash: CandidateError | None = None
    for prep in ctx.cases:
        try:
            got = outputs.of(prep)
        except CandidateError as exc:
            crash = crash or exc
            continue
        except BadOutput as exc:
            first = first or fail("output_shape", f"{where(prep, ctx.seed)}: {exc}")
            continue
        exp = prep.baseline
        same = len(got) == len(exp) and all(
            (isinstance(g, torch.Tensor) and isinstance(e, torch.Tensor) and g.shape == e.shape)
            or (not isinstance(e, torch.Tensor) and not isinstance(g, torch.Tensor))
            for g, e in zip(got, exp))
        if not same and first is None:
            first = fail("output_shape", f"{where(prep, ctx.seed)}: expected {describe(exp)}, got {describe(got)}",
                         expected=describe(exp), got=describe(got))
    if first is None and crash is not None:
        raise crash
    return first or ok("output_shape", f"{len(ctx.cases)} case(s): outputs have the expected structure and shapes")


def compare_leaves(ctx: Context, prep: Prepared, got: list[Any], name: str, atol: float = 0.0) -> CheckResult | None:
    """A failing result for the first leaf of `got` that is not close to the oracle, else None; its `ratio`
    detail (error over tolerance, inf for NaN/inf where the oracle differs) ranks failures across cases.

    `atol` is added to the tolerance of every float leaf (see `values`)."""
    for i, (g, e, tol) in enumerate(zip(got, prep.golden, prep.tols)):
        tol = tol + atol if isinstance(e, torch.Tensor) and e.is_floating_point() else tol
        if leaves_close(g, e, tol):
            continue
        label = f"output {i}" if len(got) > 1 else "output"
        if isinstance(e, torch.Tensor) and e.is_floating_point() and isinstance(g, torch.Tensor) \
                and g.shape == e.shape:
            w = worst(g, e)
            nonfinite = _nonfinite_mismatch(g, e)
            if nonfinite:
                return fail(name, f"{where(prep, ctx.seed)}: {label} {nonfinite}, first at index {list(w.index)}: "
                            f"expected {w.expected:.6g}, got {w.got:.6g}", ratio=math.inf, index=list(w.index))
            err = max_abs(g, e)
            return fail(name, f"{where(prep, ctx.seed)}: {label} differs from the oracle at index {list(w.index)}: "
                        f"expected {w.expected:.6g}, got {w.got:.6g} (max abs error {err:.3g}, rel {w.rel_err:.3g}; "
                        f"tolerance {tol:.3g})", max_abs_err=err, tolerance=tol, index=list(w.index),
                        ratio=err / tol if tol else math.inf)
        if isinstance(e, torch.Tensor) and isinstance(g, torch.Tensor) and g.shape == e.shape and e.numel():
            return _exact_mismatch(ctx, prep, g, e, label, name)
        return fail(name, f"{where(prep, ctx.seed)}: {label} is {describe([g])}, expected {describe([e])}",
                    ratio=math.inf)
    return None


def _nonfinite_mismatch(got: torch.Tensor, expected: torch.Tensor) -> str:
    """How the NaN/inf of `got` differ from the oracle's ('' when they agree), for messages."""
    g, e = got.detach().cpu().to(torch.float64), expected.detach().cpu().to(torch.float64)
    extra = int((~torch.isfinite(g) & torch.isfinite(e)).sum())
    if extra:
        return f"has {extra} NaN/inf value(s) where the oracle is finite"
    missing = int((torch.isfinite(g) & ~torch.isfinite(e)).sum())
    if missing:
        return f"is finite at {missing} position(s) where the oracle is NaN/inf"
    if not (torch.equal(torch.isnan(g), torch.isnan(e)) and torch.equal(g[torch.isinf(g)], e[torch.isinf(e)])):
        return "has NaN or inf where the oracle has the other (or an inf of the other sign)"
    return ""


def _exact_mismatch(ctx: Context, prep: Prepared, got: torch.Tensor, expected: torch.Tensor, label: str,
                    name: str) -> CheckResult:
    """Where an exact (bool or integer) output differs: the count, the first index and its row."""
    e = expected.detach().cpu()
    g = got.detach().cpu().to(e.dtype)
    diff = g != e
    idx = [int(i) for i in diff.nonzero()[0]]
    show = (lambda t: t.int().tolist()) if e.dtype == torch.bool else (lambda t: t.tolist())
    row = ""
    if e.dim() >= 1 and e.shape[-1] <= 32:
        lead = tuple(idx[:-1])
        row = f"; row {list(lead)}: expected {show(e[lead])}, got {show(g[lead])}"
    return fail(name, f"{where(prep, ctx.seed)}: {label} differs from the oracle in {int(diff.sum())} of "
                f"{diff.numel()} entries, first at index {idx}: expected {show(e[tuple(idx)])}, got "
                f"{show(g[tuple(idx)])}{row}", index=idx)




@check("values")
def values(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
    """Outputs match the oracle. `atol: {float32: 1e-3}` adds an absolute tolerance in a grading dtype, for
    questions whose valid implementations differ by more than rounding (e.g. RoPE angles in float32);
    `random: true` skips the comparison for functions whose outputs are random draws."""
    if params.get("random"):  # e.g. MLM masking: any correct sampler differs from the reference's draws
        return skip("values", "the outputs are random, so they are not compared with the reference's; "
                    "the properties check tests their distribution instead")
    atol = float(params.get("atol", {}).get(str(ctx.dtype).replace("torch.", ""), 0.0))
    worst_ratio = 0.0
    failures: list[CheckResult] = []
    crash: CandidateError | None = None
    for prep in ctx.cases:
        try:
            got = outputs.of(prep)
        except CandidateError as exc:  # the other cases still run: raised at the end if none of them fails
            crash = crash or exc
            continue
        bad = compare_leaves(ctx, prep, got, "values", atol)
        if bad:
            failures.append(bad)
            continue
        for g, e, tol in zip(got, prep.golden, prep.tols):
            tol = tol + atol
            if isinstance(e, torch.Tensor) and e.is_floating_point() and tol > 0:
                worst_ratio = max(worst_ratio, max_abs(g, e) / tol)
    if failures:  # the worst case, not the first
        bad = max(failures, key=lambda r: r.details.get("ratio", math.inf))
        note = f" [{len(failures)} of {len(ctx.cases)} cases fail; this is the worst]" if len(failures) > 1 else ""
        if crash is not None:
            note += f" [another case raised {crash}{' on ' + crash.where if crash.where else ''}]"
        return fail("values", bad.message + note, **bad.details, failing_cases=len(failures))
    if crash is not None:
        raise crash
    return ok("values", f"{len(ctx.cases)} case(s) match the oracle (worst error {worst_ratio:.2f} x tolerance)",
              worst_ratio=worst_ratio)


@check("raises")
def raises(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
    first: CheckResult | None = None  # every case runs, so the diagnosis sees the behaviour on all of them
    for prep in ctx.raise_cases:
        want = prep.case.raises
        try:
            got = outputs.of(prep)
        except CandidateError as err:
            if want not in err.lineage and first is None:
                first = fail("raises", f"{where(prep, ctx.seed)}: expected {want}, got {err.name}: {err.message}")
            continue
        if first is None:
            first = fail("raises", f"{where(prep, ctx.seed)}: expected {want} for these arguments, but it returned "
                         f"{describe(got)}")
    if first is not None:
        return first
    return ok("raises", f"{len(ctx.raise_cases)} invalid input(s) rejected with the documented exception")


@check("inputs_not_mutated")
def inputs_not_mutated(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
    m = ctx.candidate.record().mutations
    if m:
        return fail("inputs_not_mutated", f"{m[0]}; callers keep using their tensors, so work on copies "
                    "(x = x * s, not x *= s or x.mul_(s))")
    return ok("inputs_not_mutated", "no argument was modified in place")

