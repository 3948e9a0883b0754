"""Preparation and grading in process (no subprocess): the plan, shared outputs, statuses and diagnosis."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from grader.candidate import Candidate
from grader.checks import CHECK_NAMES
from grader.checks.base import Context, Outputs
from grader.checks.registry import CHECKS
from grader.invoke import CandidateError
from grader.plan import Plan, build_plan, load_question
from grader.verdict import grade_file

ROOT = Path(__file__).resolve().parent.parent
SOL = ROOT / "solutions" / "sdpa"
REFERENCE = (SOL / "reference.py").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def question():
    (path,) = (ROOT / "questions").glob("*/sdpa.yaml")
    return load_question(path)


@pytest.fixture(scope="module")
def plan(question) -> Plan:
    return build_plan(question, SOL, "float32", "cpu", 0)


def _grade(plan: Plan, tmp_path: Path, source: str, name: str = "cand.py"):
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    events: list[dict] = []
    return grade_file(plan, path, events.append), events


def test_the_plan_has_oracle_baseline_and_tolerances(plan: Plan) -> None:
    assert plan.cases and all(p.golden and p.baseline and p.tols for p in plan.cases)
    for p in plan.cases:
        assert all(g.dtype == torch.float64 for g in p.golden if isinstance(g, torch.Tensor))
        assert all(b.dtype == torch.float32 for b in p.baseline if isinstance(b, torch.Tensor))
        assert all(t > 0 for t in p.tols)
    assert [p.case.id for p in plan.large] and plan.large[0].label.startswith("q x ")


def test_in_float64_the_baseline_is_the_oracle(question) -> None:
    p64 = build_plan(question, SOL, "float64", "cpu", 0)
    assert all(p.baseline is p.golden for p in p64.cases)


def test_a_passing_candidate_never_runs_the_mistakes(question, tmp_path: Path) -> None:
    fresh = build_plan(question, SOL, "float32", "cpu", 0)
    verdict, events = _grade(fresh, tmp_path, REFERENCE)
    assert verdict.status == "passed" and verdict.diagnosis is None
    assert all(not p.mistakes for p in fresh.probes)
    assert [e["name"] for e in events] == [c.name for c in verdict.checks]


def test_a_failing_candidate_is_diagnosed(plan: Plan, tmp_path: Path) -> None:
    wrong = REFERENCE.replace("weights.sum(dim=-1, ", "weights.sum(dim=-2, ").replace("scores.amax(dim=-1, ",
                                                                                   "scores.amax(dim=-2, ")
    assert wrong != REFERENCE
    verdict, _ = _grade(plan, tmp_path, wrong)
    assert verdict.status == "failed" and verdict.diagnosis == "softmax-query-axis"
    assert verdict.diagnosis_text and verdict.diagnosis_text["title"]["zh"]


def test_a_crash_in_the_grader_is_internal_not_the_candidates(plan: Plan, tmp_path: Path, monkeypatch) -> None:
    def broken(ctx, params, outputs):
        raise ZeroDivisionError("a grader bug")

    monkeypatch.setitem(CHECKS, "finite", broken)
    verdict, _ = _grade(plan, tmp_path, REFERENCE)
    assert verdict.status == "internal" and not verdict.passed
    assert "internal error in the grader (ZeroDivisionError: a grader bug)" in verdict.check("finite").message
    assert "ZeroDivisionError" in (verdict.error or "")


def test_a_candidate_exception_is_an_error_with_its_own_frames(plan: Plan, tmp_path: Path) -> None:
    verdict, _ = _grade(plan, tmp_path, "def scaled_dot_product_attention(q, k, v, mask=None, scale=None):\n"
                                        "    raise ValueError('mine')\n")
    assert verdict.status == "error" and "ValueError: mine" in verdict.error
    assert "grader" not in verdict.error


@pytest.mark.parametrize("source, status, first", [
    ("def scaled_dot_product_attention(q, k, v, mask=None, scale=None)\n    return q\n", "invalid", "syntax error"),
    ("raise ImportError('nope')\n", "invalid", "importing the file raised ImportError"),
    ("import sys\nsys.exit(2)\n", "invalid", "sys.exit(2)"),
    ("def scaled_dot_product_attention(q, k, v):\n    return q\n", "invalid", "has parameters (q, k, v)"),
])
def test_files_that_cannot_be_graded_are_invalid(plan: Plan, tmp_path: Path, source, status, first) -> None:
    verdict, _ = _grade(plan, tmp_path, source)
    assert verdict.status == status and first in verdict.checks[0].message and len(verdict.checks) == 1


def test_checks_do_not_depend_on_their_order(plan: Plan, tmp_path: Path) -> None:
    """Every check gives the same result whichever runs first: outputs are shared, not left behind."""
    path = tmp_path / "ref.py"
    path.write_text(REFERENCE, encoding="utf-8")
    from grader.loader import entry_point, load_source

    def results(order):
        obj = entry_point(load_source(REFERENCE, str(path)), plan.question.coding.entry_point,
                          plan.question.coding.signature)
        ctx = Context(plan, Candidate.local(obj, {str(path)}, plan.question.coding.forbidden))
        outputs = Outputs(ctx)
        params = plan.question.coding.check_params
        return {n: CHECKS[n](ctx, params.get(n, {}), outputs).passed for n in order}

    names = [n for n in CHECK_NAMES if n in plan.question.coding.check_params and n != "signature"]
    assert results(names) == results(list(reversed(names)))
    assert all(results(list(reversed(names))).values())


def test_outputs_run_each_case_once_and_replay_failures(plan: Plan) -> None:
    calls: list[int] = []

    def fn(q, k, v, mask=None, scale=None):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("second call")
        return q

    outputs = Outputs(Context(plan, Candidate.local(fn, set(), [], aten=False)))
    first = outputs.of(plan.cases[0])
    assert outputs.of(plan.cases[0]) is first and len(calls) == 1
    for _ in range(2):
        with pytest.raises(CandidateError, match="second call"):
            outputs.of(plan.cases[1])
    assert len(calls) == 2 and outputs.seen(plan.cases[1]) is None and outputs.seen(plan.cases[0]) is first
    assert outputs.seen(plan.large[0]) is None  # never asked for
