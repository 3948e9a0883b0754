"""Grading one candidate file against a prepared plan, and naming the known mistake it behaves like.

Load the file and check its signature, run each check the question configures (in CHECK_NAMES order) on
outputs computed once and shared, then, if something failed, diagnose. Who is to blame for an exception is
decided here: the candidate (status error, its own frames), its parameter names (invalid), its output
(a failed check), or the grader itself (status internal, never blamed on the candidate).
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .candidate import Ask, Candidate, local
from .checks import ALWAYS_RUN, CHECK_NAMES
from .checks.base import Context, Outputs
from .checks.registry import CHECKS
from .invoke import BadOutput, CandidateError, WeightError, trim_trace
from .jail import exhausted
from .loader import InvalidCandidate
from .outcome import CheckResult, Status, Verdict
from .plan import Plan
from .tolerance import distance

Emit = Callable[[dict[str, Any]], None]


def load_candidate(plan: Plan, path: Path, ask: Ask, groups: list[str],
                   aten: bool) -> tuple[Candidate | None, CheckResult, str | None]:
    """(the candidate or None, the signature check's result, the candidate's traceback if any): the file
    imported in the session `ask` reaches, its calls recorded by a spy over `groups` (aten level if `aten`)."""
    coding = plan.question.coding
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        message = f"importing the file raised {type(exc).__name__}: {exc}"
        return None, CheckResult("signature", False, message), trim_trace(exc, {str(path)})
    try:
        candidate = Candidate.load(ask, source, str(path), coding.entry_point, coding.signature, groups, aten)
    except InvalidCandidate as exc:
        return None, CheckResult("signature", False, str(exc)), exc.trace
    return candidate, CheckResult("signature", True, f"`{coding.signature}` found"), None


def run_checks(ctx: Context, outputs: Outputs, record: Callable[[CheckResult], None]) -> tuple[Status, str | None]:
    """Run the configured checks in order; (the status, a traceback: the candidate's or the grader's).

    A check in which the candidate raised fails naming the call, and the other checks still run (status
    error, with the first traceback), so that a crash on one case does not hide what the others show."""
    params = ctx.question.coding.check_params
    status: Status = "passed"
    trace: str | None = None
    for name in CHECK_NAMES:
        if name == "signature" or (name not in params and name not in ALWAYS_RUN):
            continue
        try:
            result = CHECKS[name](ctx, params.get(name, {}), outputs)
        except CandidateError as err:
            record(CheckResult(name, False, f"raised {err}" + (f" on {err.where}" if err.where else "")))
            status, trace = "error", trace or err.trace
            continue
        except WeightError as exc:
            record(CheckResult(name, False, str(exc)))
            return "invalid", None
        except BadOutput as exc:
            result = CheckResult(name, False, str(exc))
        except Exception as exc:  # a bug in the grader itself: say so, never blame the candidate
            record(CheckResult(name, False, f"internal error in the grader ({type(exc).__name__}: {exc}); "
                               "please report it with this file"))
            return "internal", traceback.format_exc()
        record(result)
        if result.passed is False:
            status = "failed" if status == "passed" else status
            if name == "output_shape":  # nothing else can be compared
                break
    return status, trace


def grade_file(plan: Plan, path: Path, emit: Emit, ask: Ask | None = None) -> Verdict:
    """Grade one file against the plan, emitting each check result as it is known; the candidate runs in
    the session `ask` reaches (grader.remote: its own process), by default in this process."""
    q = plan.question
    verdict = Verdict(file=str(path), question=q.id)

    def record(result: CheckResult) -> None:
        verdict.checks.append(result)
        emit({"type": "check", "file": str(path), **result.as_dict()})

    aten = bool(q.coding.forbidden) or "memory" in q.coding.check_params
    candidate, signature, verdict.error = load_candidate(plan, path, ask or local(), q.coding.forbidden, aten)
    record(signature)
    if candidate is None:
        return limited(verdict, record)
    ctx = Context(plan, candidate)
    outputs = Outputs(ctx)
    verdict.status, verdict.error = run_checks(ctx, outputs, record)
    limited(verdict, record)
    if verdict.status in ("failed", "error"):
        verdict.diagnosis = diagnosis(plan, outputs, verdict.checks)
        mistake = next((m for m in q.coding.mistakes if m.id == verdict.diagnosis), None)
        if mistake:
            verdict.diagnosis_text = {"title": mistake.title.model_dump(),
                                      "explanation": mistake.explanation.model_dump()}
        else:  # no known mistake fits: a generic diagnoser may
            from .diagnose import generic_diagnosis

            try:
                generic = generic_diagnosis(plan, outputs)
            except Exception:  # noqa: BLE001 - a name is optional: a diagnoser's failure costs it, not the verdict
                generic = None
            if generic:
                verdict.diagnosis, verdict.diagnosis_text = generic.id, generic.text()
    elif verdict.status == "invalid":  # the reference's weights did not load
        from .diagnose_raises import parameters_differ

        if found := parameters_differ(verdict.checks[-1].message):
            verdict.diagnosis, verdict.diagnosis_text = found.id, found.text()
    return verdict


def limited(verdict: Verdict, record: Callable[[CheckResult], None]) -> Verdict:
    """Name the sandbox limit a raising candidate ran into (grader.jail); running out of memory is status memory."""
    hit = exhausted(verdict.error) if verdict.status in ("error", "invalid") else None
    if hit:
        record(CheckResult("limits", False, hit[1]))
        verdict.status = "memory" if hit[0] == "memory" else verdict.status
    return verdict


def diagnosis(plan: Plan, outputs: Outputs, checks: list[CheckResult]) -> str | None:
    """The known mistake behind the failures: one a failed check named (properties of random outputs, which
    cannot be matched against the mistakes' outputs), else the one the candidate behaves like."""
    known = {m.id: m.caught_by for m in plan.question.coding.mistakes}
    named = [c.details.get("mistake") for c in checks
             if c.passed is False and known.get(c.details.get("mistake")) == c.name]
    return named[0] if named else closest_mistake(plan, outputs, {c.name for c in checks if c.passed is False})


def closest_mistake(plan: Plan, outputs: Outputs, failed: set[str]) -> str | None:
    """The known mistake the candidate behaves like on every probe, among those its failures point to.

    Every value case must match; large-logit and raise probes count only where the candidate got to them
    (grading stops after a wrong output shape). Mistakes' outputs are computed here, on first need.
    """
    best: tuple[float, str] | None = None
    value_ids = {p.case.id for p in plan.cases}
    for m in plan.question.coding.mistakes:
        if m.caught_by not in failed:
            continue
        score = 0.0
        for prep in plan.probes:
            got = outputs.seen(prep)
            if got is None and prep.case.id not in value_ids:
                continue
            score += math.inf if got is None else distance(got, plan.mistake_leaves(m.id, prep), prep)
            if score == math.inf:
                break
        if score < math.inf and (best is None or score < best[0]):
            best = (score, m.id)
    return best[1] if best else None
