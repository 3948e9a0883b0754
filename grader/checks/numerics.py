"""Precision and numerics: outputs keep the grading dtype and device, stay finite where the oracle is, and
stay finite and correct when the logits are large."""

from __future__ import annotations

import torch

from ..outcome import CheckResult
from ..plan import Prepared
from .base import Context, Outputs, Params, check, fail, ok, skip, where
from .structure import compare_leaves


@check("dtype_device")
def dtype_device(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
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
                            f"value(s) where the oracle is finite, first at index {list(idx)}{_empty_row_note(prep)}")
    return ok("finite", "no NaN or inf where the oracle is finite")


def _empty_row_note(prep: Prepared) -> str:
    for v in prep.master.values() if isinstance(prep.master, dict) else []:
        if isinstance(v, torch.Tensor) and v.dtype == torch.bool and v.dim() >= 2 and (~v.any(-1)).any():
            return " (this case has query rows with no allowed key: they must output zeros, not NaN)"
    return ""


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
                            "logits (exp overflows: subtract the row max before exponentiating)")
        bad_values = compare_leaves(ctx, prep, got, "stable_large_logits")
        if bad_values:
            return bad_values
    return ok("stable_large_logits", f"finite and correct with logits scaled up ({ctx.large[0].label})")
