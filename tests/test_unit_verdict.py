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


def test_a_check_that_cannot_run_here_is_skipped_with_its_reason(tmp_path: Path) -> None:
    sol = ROOT / "solutions" / "grouped-query-attention"
    (path,) = (ROOT / "questions").glob("*/grouped-query-attention.yaml")
    plan = build_plan(load_question(path), sol, "float32", "cpu", 0)
    verdict, _ = _grade(plan, tmp_path, (sol / "reference.py").read_text("utf-8"))
    skipped = [(c.name, c.message) for c in verdict.checks if c.passed is None]
    assert verdict.status == "passed" and skipped == [
        ("speed", "speed is measured on CUDA only (grade with --device cuda); not counted as passed")]


def test_checks_register_under_known_names_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.checks.base import check

    with pytest.raises(ValueError, match="unknown check name 'valuez'"):
        check("valuez")
    monkeypatch.setitem(CHECKS, "values", CHECKS["values"])  # restored after the test

    def values(ctx, params, outputs):
        return None

    assert check("values")(values) is values and CHECKS["values"] is values


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


@pytest.fixture(scope="module")
def mask_plan() -> tuple[Plan, str]:
    """A question with exact outputs: a bool mask [B, 1, L, L] and int64 positions [B, L]."""
    sol = ROOT / "solutions" / "left-padded-decoder-mask"
    (path,) = (ROOT / "questions").glob("*/left-padded-decoder-mask.yaml")
    return build_plan(load_question(path), sol, "float32", "cpu", 0), (sol / "reference.py").read_text("utf-8")


@pytest.mark.parametrize("tweak, says", [
    ("mask = mask.clone()\n        mask[0, 0, 3, 4] = True",
     "output 0 differs from the oracle in 1 of 144 entries, first at index [0, 0, 3, 4]: expected 0, got 1; "
     "row [0, 0, 3]: expected [0, 0, 1, 1, 0, 0], got [0, 0, 1, 1, 1, 0]"),
    ("positions = positions.clone()\n        positions[0, 5] += 1",
     "output 1 differs from the oracle in 1 of 24 entries, first at index [0, 5]: expected 3, got 4; "
     "row [0]: expected [1, 1, 0, 1, 2, 3], got [1, 1, 0, 1, 2, 4]"),
    ("positions = positions.double()\n        positions[0, 5] += 1",   # shown in the oracle's dtype
     "output 1 differs from the oracle in 1 of 24 entries, first at index [0, 5]: expected 3, got 4; "
     "row [0]: expected [1, 1, 0, 1, 2, 3], got [1, 1, 0, 1, 2, 4]"),
])
def test_an_exact_output_names_the_count_the_first_index_and_its_row(mask_plan, tmp_path: Path, tweak: str,
                                                                      says: str) -> None:
    plan, reference = mask_plan
    wrong = reference.replace("    return mask, positions",
                              f"    if attention_mask.shape == (4, 6):  # the first case only\n        {tweak}\n"
                              "    return mask, positions")
    verdict, _ = _grade(plan, tmp_path, wrong)
    values = verdict.check("values")
    assert verdict.status == "failed" and values.passed is False
    assert values.message == f"case 'example-batch' (attention_mask[4, 6]; seed 0): {says}"
    assert values.details["index"] == ([0, 0, 3, 4] if "mask" in tweak else [0, 5])


def test_code_that_ignores_its_device_argument_fails_dtype_device(tmp_path: Path) -> None:
    # on CPU every device is "cpu": the grader also calls a value case with device="meta"
    sol = ROOT / "solutions" / "chunked-streaming-mask"
    (path,) = (ROOT / "questions").glob("*/chunked-streaming-mask.yaml")
    plan = build_plan(load_question(path), sol, "float32", "cpu", 0)
    reference = (sol / "reference.py").read_text("utf-8")
    verdict, _ = _grade(plan, tmp_path, reference.replace("torch.arange(T, device=device)", "torch.arange(T)"))
    message = verdict.check("dtype_device").message
    assert verdict.status == "failed" and message.startswith("case 'partial-last-chunk' (")
    assert message.endswith("seed 0) with device='meta': output 0 is on cpu: "
                            "create it on the `device` you are given (torch.arange(..., device=device))")


def test_the_speed_check_times_pytorchs_kernel_for_each_variant() -> None:
    # what `against:` names (the speed check runs on CUDA only; the kernels it compares with run anywhere)
    from grader.checks.cost import _against

    gen = torch.Generator().manual_seed(0)
    q = torch.randn(2, 4, 5, 8, generator=gen, dtype=torch.float64)
    k, v = (torch.randn(2, 4, 5, 8, generator=gen, dtype=torch.float64) for _ in range(2))

    def attention(q, k, v, causal=False):
        scores = q @ k.transpose(-2, -1) / 8 ** 0.5
        if causal:
            scores = scores.masked_fill(torch.ones(5, 5, dtype=torch.bool).triu(1), float("-inf"))
        return scores.softmax(-1) @ v

    assert torch.allclose(_against("sdpa")({"q": q, "k": k, "v": v}), attention(q, k, v))
    assert torch.allclose(_against("sdpa_causal")({"q": q, "k": k, "v": v}), attention(q, k, v, causal=True))
    k2, v2 = k[:, :2], v[:, :2]  # two key/value heads shared by four query heads
    gqa = attention(q, k2.repeat_interleave(2, 1), v2.repeat_interleave(2, 1))
    assert torch.allclose(_against("sdpa_gqa")({"q": q, "k": k2, "v": v2}), gqa)


def test_properties_drive_a_candidate_object_through_its_methods_and_attributes(tmp_path: Path) -> None:
    # sagan's properties build fresh blocks with call.new, read `gamma`, call `.to` and `.forward`
    sol = ROOT / "solutions" / "sagan-self-attention"
    (path,) = (ROOT / "questions").glob("*/sagan-self-attention.yaml")
    plan = build_plan(load_question(path), sol, "float32", "cpu", 0)
    reference = (sol / "reference.py").read_text("utf-8")
    good, _ = _grade(plan, tmp_path, reference)
    assert good.check("properties").message == "2 properties hold: identity_at_init, gamma_holds_gamma_init"
    wrong = reference.replace("def __init__(self, channels, gamma_init=0.0):",
                              "def __init__(self, channels, gamma_init=1.0):")
    bad, _ = _grade(plan, tmp_path, wrong, "wrong.py")
    assert bad.check("properties").passed is False and "gamma starts at 1, not 0" in bad.check("properties").message
    assert bad.diagnosis == "gamma-init-nonzero"
