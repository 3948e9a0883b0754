"""What every check is given and returns: the grading context, the candidate's shared outputs, and the registry.

A check is `fn(ctx, params, outputs) -> CheckResult`, registered with `@check(name)`. It asks `outputs` for
the candidate's leaves on any case it needs (each case runs once, whoever asks first), so no check depends
on another having run before it: the order of grader.checks.CHECK_NAMES is presentation only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from ..candidate import Candidate
from ..invoke import BadOutput, CandidateError, Impl, Raised
from ..outcome import CheckResult
from ..plan import Plan, Prepared
from ..schema import CodingQuestion
from ..spy import HalfOp
from . import CHECK_NAMES

Params = dict[str, Any]


@dataclass
class Context:
    """Everything a check needs: the prepared plan and the candidate (whose spy records its calls)."""

    plan: Plan
    candidate: Candidate
    outputs: Outputs | None = None  # the shared plain outputs, set by Outputs itself

    @property
    def question(self) -> CodingQuestion:
        return self.plan.question

    @property
    def reference(self) -> Impl:
        return self.plan.reference

    @property
    def dtype(self) -> torch.dtype:
        return self.plan.dtype

    @property
    def device(self) -> str:
        return self.plan.device

    @property
    def seed(self) -> int:
        return self.plan.seed

    @property
    def cases(self) -> list[Prepared]:
        return self.plan.cases

    @property
    def raise_cases(self) -> list[Prepared]:
        return self.plan.raise_cases

    @property
    def large(self) -> list[Prepared]:
        return self.plan.large

    @property
    def properties_module(self) -> Any:
        return self.plan.properties

    @property
    def semantic_dtype(self) -> torch.dtype:
        """The dtype of semantic checks (perturbations, properties): float64 where the question allows it."""
        return torch.float64 if "float64" in self.question.coding.dtypes else torch.float32

    @property
    def semantic_tol(self) -> float:
        """The relative change semantic checks treat as a real dependence."""
        return 1e-6 if self.semantic_dtype == torch.float64 else 1e-4

    def run(self, prep: Prepared, args: Any, dtype: torch.dtype | None = None) -> list[Any]:
        """The candidate's leaves on `args`; a CandidateError it raises names this call (`call_site`)."""
        return self._named(prep, args, lambda: self.candidate.run(prep.script, args, dtype or self.dtype,
                                                                   self.device))

    def half_ops(self, prep: Prepared, args: Any, dtype: torch.dtype, ops: list[str]) -> list[HalfOp]:
        """The ops among `ops` the candidate computed in half precision on `args` (grader.spy.HalfOps)."""
        return self._named(prep, args, lambda: self.candidate.half_ops(prep.script, args, dtype, self.device, ops))

    def _named(self, prep: Prepared, args: Any, fn: Any) -> Any:
        try:
            return fn()
        except CandidateError as err:
            err.where = err.where or call_site(prep, args, self.seed)
            raise

    def arg_cases(self, params: Params, needs: list[str] | None = None) -> list[Prepared]:
        """Single-call cases chosen by `params['cases']` (default all) that have tensors for `needs`, except
        those on which the candidate raised when called with the case's own inputs."""
        chosen = params.get("cases")
        out = []
        for p in self.cases:
            if p.is_script or (chosen and p.case.id not in chosen):
                continue
            if needs and not all(isinstance(p.master.get(n), torch.Tensor) for n in needs):
                continue
            if self.outputs is not None and self.outputs.raised(p):  # values reports it: the others still run
                continue
            out.append(p)
        return out


class Outputs:
    """The candidate's output leaves on each prepared case with its own inputs, run on first request and
    shared by every check and by the diagnosis. A call that failed fails again, the same way, when asked again."""

    def __init__(self, ctx: Context):
        self._ctx = ctx
        self._seen: dict[str, list[Any] | BadOutput | CandidateError] = {}
        ctx.outputs = self

    @property
    def context(self) -> Context:
        return self._ctx

    def raised(self, prep: Prepared) -> bool:
        """Whether the candidate raised on `prep`'s own inputs (running it if not yet run)."""
        try:
            self.of(prep)
        except CandidateError:
            return True
        except BadOutput:
            return False
        return False

    def of(self, prep: Prepared) -> list[Any]:
        """The leaves of `prep` (raising the candidate's CandidateError or BadOutput if its call failed)."""
        got = self._seen.get(prep.case.id)
        if got is None:
            try:
                got = self._ctx.run(prep, prep.inputs)
            except (BadOutput, CandidateError) as exc:
                got = exc
            self._seen[prep.case.id] = got
        if isinstance(got, Exception):
            raise got
        return got

    def seen(self, prep: Prepared) -> list[Any] | None:
        """What the diagnosis compares on `prep`: the leaves, or for a raise case the Raised marker of what
        happened; None where the candidate was not run on it or its call failed."""
        got = self._seen.get(prep.case.id)
        if prep.case.raises:
            if got is None or isinstance(got, BadOutput):
                return None
            return [Raised(got.name if isinstance(got, CandidateError) else "nothing")]
        return got if isinstance(got, list) else None


Check = Callable[[Context, Params, Outputs], CheckResult]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Register a check function under `name` (which must be one of CHECK_NAMES)."""
    if name not in CHECK_NAMES:
        raise ValueError(f"unknown check name {name!r}")

    def wrap(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn
    return wrap


def ok(name: str, message: str, **details: Any) -> CheckResult:
    return CheckResult(name, True, message, details)


def fail(name: str, message: str, **details: Any) -> CheckResult:
    return CheckResult(name, False, message, details)


def skip(name: str, message: str) -> CheckResult:
    return CheckResult(name, None, message)


def call_site(prep: Prepared, args: Any, seed: int) -> str:
    """How an exception names the call that raised: the case, its tensor arguments' shapes and dtypes, the seed."""
    def kind(t: torch.Tensor) -> str:
        return f"{list(t.shape)} {str(t.dtype).replace('torch.', '')}"
    if isinstance(args, dict):
        parts = [f"{k}{kind(v)}" for k, v in args.items() if isinstance(v, torch.Tensor)]
        parts += [f"{k}[{', '.join(kind(t) for t in v)}]" for k, v in args.items()
                  if isinstance(v, list) and v and all(isinstance(t, torch.Tensor) for t in v)]
        dims = ", ".join(parts)
    else:
        dims = prep.dims()
    return f"case '{prep.case.id}' ({dims}; seed {seed})" + (f" [{prep.label}]" if prep.label else "")


def where(prep: Prepared, seed: int) -> str:
    """How messages name a case: its id, shapes and seed, and how it was derived."""
    return f"case '{prep.case.id}' ({prep.dims()}; seed {seed})" + (f" [{prep.label}]" if prep.label else "")
