"""Precision the prompt requires: the ops it says run "in at least float32" (softmax, exp, log-sum-exp,
running sums, RoPE's cos/sin tables) must not produce half-precision results on half-precision inputs.

Rounding errors of such code can stay within the tolerance of every value check, so the rule is checked on
what runs: the candidate is called on float16/bfloat16 inputs under grader.spy.HalfOps, which sees every
aten op. Matmuls and copies are never counted; only the ops the question lists (`ops:`).
"""

from __future__ import annotations

from pathlib import Path

from ..inputs import DTYPES
from ..outcome import CheckResult
from ..plan import round_trip
from .base import Context, Outputs, Params, check, fail, ok, skip, where


def half_dtype(ctx: Context, params: Params) -> str | None:
    """The half dtype to run in: `dtype:` if given, else bfloat16 or float16, whichever the question allows."""
    allowed = ctx.question.coding.dtypes
    return params.get("dtype") or next((d for d in ("bfloat16", "float16") if d in allowed), None)


@check("precision")
def precision(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
    """`ops:` (names in grader.spy.PRECISION_OPS) must not give half results; on `cases:` (default: the first)."""
    name = half_dtype(ctx, params)
    if name is None:
        return skip("precision", "this question has no half-precision dtype")
    chosen = params.get("cases")
    preps = [p for p in ctx.cases if not chosen or p.case.id in chosen][: None if chosen else 1]
    for prep in preps:
        inputs, _ = round_trip(prep.master, DTYPES[name], ctx.device)
        found = ctx.half_ops(prep, inputs, DTYPES[name], params["ops"])
        if found:
            hit = found[0]
            more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
            return fail("precision", f"{where(prep, ctx.seed)} in {name}: {hit.op} computed in {hit.dtype} at "
                        f"{Path(hit.file).name}:{hit.line} `{hit.code}`{more}. The prompt asks for "
                        f"{', '.join(params['ops'])} in at least float32: upcast first (x.float()) and cast "
                        "only the result back", op=hit.op, line=hit.line, dtype=hit.dtype)
    return ok("precision", f"{len(preps)} case(s) in {name}: {', '.join(params['ops'])} computed in at least float32")
