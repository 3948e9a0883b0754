"""Gradients: float64 gradients of the candidate's outputs (w.r.t. the inputs and, for modules, the weights)
match the reference's."""

from __future__ import annotations

import torch

from ..harness import gradients as reference_gradients
from ..inputs import DTYPES
from ..invoke import CandidateError
from ..outcome import CheckResult
from ..plan import Prepared, round_trip
from ..tolerance import max_abs
from .base import Context, Outputs, Params, call_site, check, fail, ok, skip, where


def _reference(ctx: Context, prep: Prepared, wrt: list[str],
               dtype: torch.dtype = torch.float64) -> tuple[list[torch.Tensor], list[str]]:
    args = round_trip(prep.master, dtype, ctx.device)[0]
    return reference_gradients(ctx.reference, prep.script, args, wrt, dtype, ctx.device, prep.seed)


@check("gradients")
def gradients(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
    """float64 gradients match the reference's within 1e-6 relative; `precision: float32` when the prompt lets
    the arithmetic run in float32 (RoPE angles): the tolerance then adds 8 x the reference's own float32 error."""
    if "float64" not in ctx.question.coding.dtypes:
        return skip("gradients", "this question is not graded in float64")
    wrt: list[str] = params.get("wrt", ["q", "k", "v"])
    preps = ctx.arg_cases(params, needs=wrt)[:1] if not params.get("cases") else ctx.arg_cases(params, needs=wrt)
    allowed = params.get("precision")
    for prep in preps:
        want, names = _reference(ctx, prep, wrt)
        slack = [0.0] * len(want)
        if allowed:
            low, _ = _reference(ctx, prep, wrt, DTYPES[allowed])
            # other float32 formulas for the same quantity round differently by a few ulps: 8x, not 3x
            slack = [8 * max_abs(lo.double(), w) for lo, w in zip(low, want)]
        try:
            args = round_trip(prep.master, torch.float64, ctx.device)[0]
            got, _ = ctx.candidate.gradients(prep.script, args, wrt, torch.float64, ctx.device, prep.seed)
        except CandidateError as err:
            err.where = err.where or call_site(prep, prep.golden_inputs, ctx.seed)
            raise
        except RuntimeError as exc:  # raised by autograd while differentiating the candidate's output
            if "does not require grad" in str(exc) or "element 0 of tensors" in str(exc):
                return fail("gradients", f"{where(prep, ctx.seed)}: the output is not differentiable w.r.t. the "
                            "inputs (detached, computed under no_grad, or converted through NumPy)")
            first = str(exc).strip().splitlines()[0]
            return fail("gradients", f"{where(prep, ctx.seed)}: backpropagating through your output failed: {first}")
        for name, g, w, extra in zip(names, got, want, slack):
            err = max_abs(g, w)
            tol = 1e-6 * (1 + float(w.abs().max())) + extra
            if not torch.isfinite(g).all() or err > tol:
                nonfinite = "" if torch.isfinite(g).all() else " (the gradient has NaN/inf)"
                return fail("gradients", f"{where(prep, ctx.seed)}: gradient w.r.t. `{name}` is off by {err:.3g} "
                            f"(tolerance {tol:.3g}){nonfinite}", max_abs_err=err)
    return ok("gradients", f"float64 gradients w.r.t. {', '.join(wrt)} match the reference")

