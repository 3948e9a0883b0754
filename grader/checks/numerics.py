"""Precision and numerics: outputs keep the grading dtype and device, stay finite where the oracle is, and
stay finite and correct when the logits are large."""

from __future__ import annotations

import math

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from ..invoke import CandidateError
from ..outcome import CheckResult
from ..plan import Prepared
from ..spy import flatten_tensors
from .base import Context, Outputs, Params, check, fail, ok, skip, where
from .structure import compare_leaves


@check("dtype_device")
def dtype_device(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
    """Outputs have the reference's dtype and device. `device_arg: NAME`: the function creates its output
    on the device given as argument NAME; on CPU, where every device is "cpu", it is also called with
    NAME="meta" (a device every build has) and must return meta tensors."""
    arg = params.get("device_arg")
    if arg and ctx.device == "cpu" and (failure := _honours_device_arg(ctx, arg)) is not None:
        return failure
    for prep in ctx.cases:
        for i, (g, e) in enumerate(zip(outputs.of(prep), prep.baseline)):
            if not isinstance(e, torch.Tensor):
                continue
            if not isinstance(g, torch.Tensor):
                return fail("dtype_device", f"{where(prep, ctx.seed)}: output {i} is not a tensor")
            if g.dtype != e.dtype or g.device.type != e.device.type:
                return fail("dtype_device", f"{where(prep, ctx.seed)}: output {i} is {g.dtype} on {g.device.type}, "
                            f"expected {e.dtype} on {e.device.type}")
    return ok("dtype_device", f"outputs are {str(ctx.dtype).replace('torch.', '')} on {ctx.device}")


def _honours_device_arg(ctx: Context, arg: str) -> CheckResult | None:
    """A failure if the first value case, called with `arg`="meta", returns a tensor that is not on meta
    (code that ignores the argument runs there and returns CPU tensors)."""
    prep = next((p for p in ctx.cases if not p.is_script and not p.case.raises and arg in p.inputs), None)
    if prep is None:
        return None
    try:
        leaves = ctx.run(prep, {**prep.inputs, arg: "meta"})
    except CandidateError:  # code that needs real data (.item(), .tolist()) cannot run on meta: not a fault
        return None
    for i, g in enumerate(leaves):
        if isinstance(g, torch.Tensor) and g.device.type != "meta":
            return fail("dtype_device", f"{where(prep, ctx.seed)} with {arg}='meta': output {i} is on "
                        f"{g.device.type}: create it on the `{arg}` you are given (torch.arange(..., device={arg}))")
    return None


def _nonfinite_where_oracle_finite(got: object, expected: object) -> torch.Tensor | None:
    """The bool mask of positions where `expected` is finite and `got` is not (None if not float tensors)."""
    if not (isinstance(expected, torch.Tensor) and expected.is_floating_point() and isinstance(got, torch.Tensor)):
        return None
    if got.shape != expected.shape:
        return None
    return torch.isfinite(expected.cpu()) & ~torch.isfinite(got.detach().cpu())


@check("finite")
def finite(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
    for prep in ctx.cases:
        for i, (g, e) in enumerate(zip(outputs.of(prep), prep.golden)):
            bad = _nonfinite_where_oracle_finite(g, e)
            if bad is not None and bad.any():
                idx = tuple(int(x) for x in bad.nonzero()[0])
                return fail("finite", f"{where(prep, ctx.seed)}: output {i} has {int(bad.sum())} NaN/inf "
                            f"value(s) where the oracle is finite, first at index {list(idx)}"
                            f"{_empty_row_note(prep, bad, e)}")
    return ok("finite", "no NaN or inf where the oracle is finite")


def _empty_row_note(prep: Prepared, bad: torch.Tensor, expected: torch.Tensor) -> str:
    """Why the NaN appear, when it can be said: rows the oracle gives as zeros (no allowed key), or a case
    with query rows that have no allowed key."""
    if expected.dim() >= 1 and expected.shape[-1] > 1:
        zero_rows = (expected.detach().cpu() == 0).all(-1)
        if zero_rows.any() and bool((bad.any(-1) <= zero_rows).all()):
            return (f" (every one on the {int(zero_rows.sum())} row(s) with no allowed key, which the oracle gives "
                    "as zeros: such rows must output zeros, not NaN)")
    for v in prep.master.values() if isinstance(prep.master, dict) else []:
        if isinstance(v, torch.Tensor) and v.dtype == torch.bool and v.dim() >= 2 and (~v.any(-1)).any():
            return " (this case has query rows with no allowed key: they must output zeros, not NaN)"
    return ""


FILLS = ("fill", "full", "masked_fill", "where", "scalar_tensor", "lift_fresh", "copy", "_to_copy", "clone",
         "empty", "new_full", "index_put", "scatter")  # ops that place an infinity given to them (a mask's -inf)


UNINITIALISED = ("empty", "empty_like", "empty_strided", "new_empty", "new_empty_strided")  # garbage, not NaN
GROWING = ("exp", "exp2", "expm1", "pow", "cosh", "sinh", "square")  # +inf from -inf inputs is an overflow


class FirstNonfinite(TorchDispatchMode):
    """Finds the first aten op whose output has a NaN or an infinity that its inputs do not explain: an
    infinity from finite inputs, or +inf from a growing function (exp of a row with a masked -inf), is an
    overflow; a NaN from inputs without one comes from inf - inf or 0 * inf."""

    @classmethod
    def _should_skip_dynamo(cls) -> bool:  # pragma: no mutate block (see grader.spy)
        return False

    def __init__(self) -> None:
        super().__init__()
        self.found: str | None = None

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        name = str(func.overloadpacket.__name__) if hasattr(func, "overloadpacket") else str(func)
        if self.found is None and name.rstrip("_") not in UNINITIALISED:
            ins = [t for t in flatten_tensors(list(args) + list((kwargs or {}).values())) if t.is_floating_point()]
            outs = [t for t in flatten_tensors(out) if t.is_floating_point()]
            in_nan = any(bool(torch.isnan(t).any()) for t in ins)
            in_inf = [any(bool((t == sign * math.inf).any()) for t in ins) for sign in (1, -1)]
            out_inf = [any(bool((t == sign * math.inf).any()) for t in outs) for sign in (1, -1)]
            if not in_nan and any(bool(torch.isnan(t).any()) for t in outs):
                self.found = f"aten.{name} produced NaN" + (" from infinite inputs (inf - inf or 0 * inf)"
                                                             if any(in_inf) else " from finite inputs")
            elif not name.rstrip("_").endswith(FILLS) and ((any(out_inf) and not any(in_inf)) or (
                    name.rstrip("_") in GROWING and out_inf[0] and not in_inf[0])):
                self.found = f"aten.{name} overflowed to {'inf' if out_inf[0] else '-inf'}"
        return out


def _overflow(ctx: Context, prep: Prepared) -> str:
    """What overflowed in the candidate on `prep`: the first op that made a NaN or inf, and what to do."""
    mode = FirstNonfinite()
    try:
        with mode:
            ctx.run(prep, prep.inputs)
    except Exception:  # a run under the mode that fails tells nothing more
        return ""
    if mode.found is None:
        return ""
    hint = " (exp overflows past about 88 in float32: subtract each row's max first)" \
        if mode.found.startswith("aten.exp overflowed") else ""
    return f": {mode.found}{hint}"


@check("stable_large_logits")
def stable_large_logits(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
    if not ctx.large:
        return skip("stable_large_logits", "no large-logit case")
    for prep in ctx.large:
        got = outputs.of(prep)
        for i, (g, e) in enumerate(zip(got, prep.golden)):
            bad = _nonfinite_where_oracle_finite(g, e)
            if bad is not None and bad.any():
                return fail("stable_large_logits", f"{where(prep, ctx.seed)}: output {i} has NaN/inf with large "
                            f"logits{_overflow(ctx, prep)}")
        bad_values = compare_leaves(ctx, prep, got, "stable_large_logits")
        if bad_values:
            return bad_values
    return ok("stable_large_logits", f"finite and correct with logits scaled up ({ctx.large[0].label})")
