"""The dtype contract of a plain `grade`: after a pass in float32, a few value cases again in float64 and
(where the question allows half precision) bfloat16 and float16, with the outputs' dtype and device checked and their
values compared at that dtype's own tolerance.

A file that computes in float32 whatever its inputs, returns a float32 buffer or leaves its weights in
float32 passes every float32 check; these passes catch it. Each dtype's plan is built on first use (a
failing file never pays for it), from at most MAX_CASES cases chosen to cover the different argument
kinds (a mask, no mask, a scripted cache). One result per dtype, named `dtype_<dtype>`. A question whose
code cannot run some dtype where it is graded (Triton's CPU interpreter has no bfloat16) lists its passes as
`dtype_device: {contract: [...]}`.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path

import torch

from .candidate import Candidate
from .checks import ALWAYS_RUN
from .checks.base import Context, Outputs, fail, ok, where
from .checks.registry import CHECKS
from .invoke import BadOutput, CandidateError, WeightError
from .outcome import CheckResult, Status
from .plan import Plan, build_plan
from .schema import Case, CodingQuestion

MAX_CASES = 3
CONTRACT_DTYPES = ("float64", "bfloat16", "float16")  # the default passes, in this order (float16 for
# its narrow range: a -1e9 fill or an exp without the max overflows there and nowhere else)
Record = Callable[[CheckResult], None]


def contract_dtypes(question: CodingQuestion, dtype: str) -> list[str]:
    """The dtypes a plain grade in `dtype` also checks after a pass, among those the question allows."""
    wanted = question.coding.check_params.get("dtype_device", {}).get("contract", CONTRACT_DTYPES)
    return [d for d in wanted if d in question.coding.dtypes and d != dtype]


def _kinds(case: Case) -> set[str]:
    """What a case exercises: each argument with the kind of value it gets, constructor args, step calls."""
    kinds = {f"{k}={type(v).__name__}" for k, v in (case.args or {}).items()}
    kinds |= {f"init.{k}={type(v).__name__}" for k, v in (case.init or {}).items()}
    kinds |= {f"step.{s.call or s.get}" for s in case.steps or []}
    return kinds


def pick_cases(question: CodingQuestion, dtype: str) -> set[int]:
    """The indices of up to MAX_CASES value cases allowed in `dtype`, each adding an argument kind not yet
    covered (the first always), and every case written for some dtypes only that include `dtype` (such a
    case exists to test them)."""
    chosen: set[int] = set()
    pinned: set[int] = set()
    covered: set[str] = set()
    for i, case in enumerate(question.coding.cases):
        if case.raises or (case.dtypes is not None and dtype not in case.dtypes):
            continue
        if case.dtypes is not None:
            pinned.add(i)
        elif len(chosen) < MAX_CASES and (not chosen or _kinds(case) - covered):
            chosen.add(i)
            covered |= _kinds(case)
    return chosen | pinned


def _name(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")


def _dtype_device(ctx: Context, outputs: Outputs, name: str) -> CheckResult | None:
    """A failing result for the first output whose dtype or device differs from the reference's, else None."""
    for prep in ctx.cases:
        for i, (g, e) in enumerate(zip(outputs.of(prep), prep.baseline)):
            if not isinstance(e, torch.Tensor) or not isinstance(g, torch.Tensor):
                continue
            if g.dtype != e.dtype:
                return fail(name, f"returned {_name(g.dtype)} for {_name(ctx.dtype)} inputs (output {i}, "
                            f"{where(prep, ctx.seed)}; expected {_name(e.dtype)}): compute in the input's dtype "
                            "or cast the result back (check buffers made with torch.zeros/empty without "
                            "dtype=, and weights or tables kept in float32)", output=i)
            if g.device.type != e.device.type:
                return fail(name, f"returned a tensor on {g.device.type} for inputs on {e.device.type} (output {i}, "
                            f"{where(prep, ctx.seed)}): create new tensors on the inputs' device", output=i)
    return None


def _first_failure(ctx: Context, outputs: Outputs, name: str) -> CheckResult | None:
    """The first failing result among shapes, dtype and device, finiteness (where the question checks it) and
    values, renamed `name`; None when all pass."""
    params = ctx.question.coding.check_params
    for check in ("output_shape", "dtype_device", "finite", "values"):
        if check == "dtype_device":
            result = _dtype_device(ctx, outputs, name)
        elif check in params or check in ALWAYS_RUN:
            r = CHECKS[check](ctx, params.get(check, {}), outputs)
            result = fail(name, f"in {_name(ctx.dtype)}: {r.message}", **r.details) if r.passed is False else None
        else:
            continue
        if result is not None:
            return result
    return None


def check_dtype(plan: Plan, candidate: Candidate) -> tuple[CheckResult, Status, str | None]:
    """(the result of the contract pass in `plan`'s dtype, the status it implies, the candidate's traceback).
    A failure that grader.diagnose_precision names carries that diagnosis in its details."""
    from .diagnose_precision import contract_diagnosis, overflow_diagnosis

    name = f"dtype_{_name(plan.dtype)}"
    ctx = Context(plan, candidate)
    outputs = Outputs(ctx)
    try:
        failure = _first_failure(ctx, outputs, name)
        if failure is not None and (found := contract_diagnosis(plan, outputs)) is not None:
            failure.details["diagnosis"] = {"id": found.id, "text": found.text()}
    except CandidateError as err:
        result = fail(name, f"raised {err} on {_name(plan.dtype)} inputs")
        if (found := overflow_diagnosis(plan, err)) is not None:
            result.details["diagnosis"] = {"id": found.id, "text": found.text()}
        return result, "error", err.trace
    except WeightError as exc:
        return fail(name, str(exc)), "invalid", None
    except BadOutput as exc:
        return fail(name, f"in {_name(plan.dtype)}: {exc}"), "failed", None
    except Exception as exc:  # a bug in the grader: say so, never blame the candidate
        return (fail(name, f"internal error in the grader ({type(exc).__name__}: {exc}); please report it"),
                "internal", traceback.format_exc())
    if failure is not None:
        return failure, "failed", None
    return ok(name, f"{len(plan.cases)} case(s) in {_name(plan.dtype)}: outputs keep the dtype and device, "
              "values within this dtype's tolerance"), "passed", None


class Contract:
    """The contract passes of one worker: their plans, each built on first use."""

    def __init__(self, question: CodingQuestion, sol_dir: Path, dtypes: list[str], device: str, seed: int):
        self.question, self.sol_dir, self.dtypes, self.device, self.seed = question, sol_dir, dtypes, device, seed
        self._plans: dict[str, Plan] = {}

    def plan(self, dtype: str) -> Plan:
        if dtype not in self._plans:
            self._plans[dtype] = build_plan(self.question, self.sol_dir, dtype, self.device, self.seed,
                                            pick_cases(self.question, dtype))
        return self._plans[dtype]

    def run(self, candidate: Candidate, record: Record) -> tuple[list[str], Status, str | None]:
        """Run every pass on `candidate` (loaded with a spy that records nothing: grader.worker), recording
        one result per dtype; (the dtypes run, the status, a traceback). A pass that errors stops the rest."""
        done: list[str] = []
        status: Status = "passed"
        for dtype in self.dtypes:
            plan = self.plan(dtype)
            if not plan.cases:
                continue
            result, st, trace = check_dtype(plan, candidate)
            record(result)
            done.append(dtype)
            if st == "failed":
                status = "failed"
            elif st != "passed":
                return done, st, trace
        return done, status, None
