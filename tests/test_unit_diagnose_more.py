"""Generic diagnoses of grader.diagnose_raises, diagnose_masks, diagnose_precision and diagnosers_calls: each
names the change of the reference it models, and neither the reference itself nor an unrelated bug."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_unit_diagnose import _grade, _patched, _plan

from grader.candidate import Candidate
from grader.checks.base import Context, Outputs
from grader.contract import check_dtype
from grader.diagnose_precision import float32_inside
from grader.diagnose_raises import parameters_differ
from grader.loader import entry_point, load_source
from grader.plan import Plan, build_plan, load_question

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sdpa() -> Plan:
    return _plan("sdpa")


def _named(plan: Plan, tmp_path: Path, qid: str, *edits: tuple[str, str]):
    verdict = _grade(plan, tmp_path, _patched(qid, *edits))
    assert verdict.status in ("failed", "error", "invalid")
    return verdict


def _title(verdict) -> str:
    return verdict.diagnosis_text["title"]["en"] if verdict.diagnosis_text else ""


def test_a_crash_is_named_by_the_one_condition_it_happens_on(sdpa: Plan, tmp_path: Path) -> None:
    plan = _plan("attention-backward")
    square = ("dv = p.transpose(-2, -1) @ do", "dv = p @ do")  # lines up only when Lq == Lk
    verdict = _named(plan, tmp_path, "attention-backward", square)
    assert verdict.diagnosis == "generic:raises-when" and _title(verdict) == "Raises whenever Lk != Lq"
    assert "wrong on the other cases" in verdict.diagnosis_text["explanation"]["en"]  # P @ dO is wrong where it runs
    assert verdict.diagnosis_text["explanation"]["zh"]
    none = _named(sdpa, tmp_path, "sdpa", ("if mask is not None:\n        if mask.dtype",
                                           "if mask.bool() is not None:\n        if mask.dtype"))
    assert none.diagnosis == "generic:raises-when" and _title(none) == "Raises whenever `mask` is None"


def test_a_crash_everywhere_or_an_unrelated_bug_is_not_a_crash_condition(sdpa: Plan, tmp_path: Path) -> None:
    everywhere = _named(sdpa, tmp_path, "sdpa", ("return weights @ v", "return weights @ v.sum()"))
    assert everywhere.diagnosis != "generic:raises-when"
    inverted = _named(sdpa, tmp_path, "sdpa", ("masked_fill(~mask,", "masked_fill(mask,"))
    assert inverted.diagnosis == "generic:mask-inverted"


def test_parameters_that_differ_are_named_from_the_loading_error(tmp_path: Path) -> None:
    found = parameters_differ("parameter names differ from the question's: missing fc1.bias, fc2.bias")
    assert found and found.kind == "parameters-missing" and found.params["missing"] == "`fc1.bias`, `fc2.bias`"
    both = parameters_differ("parameter names differ from the question's: missing a.bias; unexpected b")
    assert both and both.kind == "parameters-differ" and both.params == {"missing": "`a.bias`", "extra": "`b`"}
    shape = parameters_differ("parameter `gamma` has shape [], expected [1]")
    assert shape and shape.kind == "parameter-shape" and shape.params["expected"] == "[1]"
    assert parameters_differ("values differ") is None
    verdict = _named(_plan("se-block"), tmp_path, "se-block", ("nn.Linear(channels, hidden)",
                                                               "nn.Linear(channels, hidden, bias=False)"))
    assert verdict.status == "invalid" and verdict.diagnosis == "generic:parameters-missing"
    assert _title(verdict) == "Parameters missing: `fc1.bias`"


@pytest.mark.parametrize("edits, title", [
    ([("torch.sigmoid(self.fc2", "torch.nn.functional.hardsigmoid(self.fc2")],
     "A hard sigmoid instead of the sigmoid"),
    ([("torch.relu(self.fc1(s))", "self.fc1(s)")], "The ReLU left out"),
    ([("s = x.mean(dim=(2, 3))", "s = x.sum(dim=(2, 3))")], "A sum where the mean belongs (every call)"),
])
def test_a_swapped_call_is_named(tmp_path: Path, edits, title) -> None:
    verdict = _named(_plan("se-block"), tmp_path, "se-block", *edits)
    assert verdict.diagnosis in ("generic:activation", "generic:reduction-swap") and _title(verdict) == title
    assert verdict.diagnosis_text["explanation"]["zh"]


def test_an_unrelated_bug_is_no_call_swap(tmp_path: Path) -> None:
    verdict = _named(_plan("se-block"), tmp_path, "se-block", ("return x * gate[:, :, None, None]",
                                                               "return x * gate[:, :, None, None] + x"))
    assert verdict.diagnosis not in ("generic:activation", "generic:reduction-swap")


@pytest.mark.parametrize("edit, title", [
    ("tril(diagonal=lk - lq + 1)", "The causal diagonal one too high: each query also sees the next key"),
    ("triu(diagonal=lk - lq)", "The causal mask built with triu: queries see the future instead of the past"),
])
def test_a_causal_diagonal_change_is_named(tmp_path: Path, edit: str, title: str) -> None:
    verdict = _named(_plan("causal-attention"), tmp_path, "causal-attention", ("tril(diagonal=lk - lq)", edit))
    assert verdict.diagnosis == "generic:causal-diagonal" and _title(verdict).startswith(title)


@pytest.mark.parametrize("edit, diagnosis", [
    ("return (~allowed).unsqueeze(1)", "generic:mask-output-inverted"),
    ("return torch.zeros(allowed.shape).masked_fill(~allowed, float('-inf')).unsqueeze(1)",
     "generic:additive-mask-output"),
])
def test_a_mask_in_the_wrong_convention_is_named(tmp_path: Path, edit: str, diagnosis: str) -> None:
    plan = _plan("prefix-lm-mask")
    verdict = _named(plan, tmp_path, "prefix-lm-mask", ("return allowed.unsqueeze(1)", edit))
    assert verdict.diagnosis == diagnosis
    other = _named(plan, tmp_path, "prefix-lm-mask", ("(j <= i) | (j < p)", "(j <= i) | (j <= p)"))
    assert other.diagnosis not in ("generic:mask-output-inverted", "generic:additive-mask-output")


def _outputs(plan: Plan, tmp_path: Path, source: str) -> Outputs:
    path = tmp_path / "cand.py"
    path.write_text(source, encoding="utf-8")
    coding = plan.question.coding
    obj = entry_point(load_source(source, str(path)), coding.entry_point, coding.signature)
    return Outputs(Context(plan, Candidate.local(obj, {str(path)}, [], aten=False)))


def _run_all(plan: Plan, outputs: Outputs) -> Outputs:
    for prep in plan.cases:
        outputs.of(prep)
    return outputs


def test_float64_computed_in_float32_is_named_and_a_small_bias_is_not(tmp_path: Path) -> None:
    (path,) = (ROOT / "questions").glob("*/sdpa.yaml")
    plan = build_plan(load_question(path), ROOT / "solutions" / "sdpa", "float64", "cpu", 0)
    f32 = _patched("sdpa", ("    if scale is None:", "    dt = q.dtype\n    q, k, v = q.float(), k.float(), v.float()"
                            "\n    mask = mask.float() if mask is not None and mask.is_floating_point() else mask"
                            "\n    if scale is None:"), ("return weights @ v", "return (weights @ v).to(dt)"))
    assert float32_inside(plan, _run_all(plan, _outputs(plan, tmp_path, f32))).kind == "float32-inside"
    assert float32_inside(plan, _run_all(plan, _outputs(plan, tmp_path, _patched("sdpa")))) is None
    eps = _patched("sdpa", ("torch.where(denom > 0, denom, torch.ones_like(denom))",
                            "torch.where(denom > 0, denom, torch.ones_like(denom)) + 1e-9"))
    assert float32_inside(plan, _run_all(plan, _outputs(plan, tmp_path, eps))) is None
    halves = _patched("sdpa", ("return weights @ v", "return torch.full_like(weights @ v, 0.5)"))  # float32 numbers
    assert float32_inside(plan, _run_all(plan, _outputs(plan, tmp_path, halves))) is None  # but far from the oracle


def test_a_fill_that_overflows_float16_is_named(tmp_path: Path) -> None:
    (path,) = (ROOT / "questions").glob("*/sdpa.yaml")
    plan = build_plan(load_question(path), ROOT / "solutions" / "sdpa", "float16", "cpu", 0)
    source = _patched("sdpa", ('masked_fill(~mask, float("-inf"))', "masked_fill(~mask, -1e9)"))
    file = tmp_path / "cand.py"
    file.write_text(source, encoding="utf-8")
    coding = plan.question.coding

    def candidate(text: str) -> Candidate:
        obj = entry_point(load_source(text, str(file)), coding.entry_point, coding.signature)
        return Candidate.local(obj, {str(file)}, [], aten=False)

    result, status, _ = check_dtype(plan, candidate(source))
    assert status == "error" and result.details["diagnosis"]["id"] == "generic:constant-overflows"
    fine, status, _ = check_dtype(plan, candidate(_patched("sdpa")))
    assert status == "passed" and "diagnosis" not in fine.details


def test_a_square_mask_read_transposed_and_equal_scale_names(tmp_path: Path) -> None:
    plan = _plan("gat-layer")
    reference = (ROOT / "solutions" / "gat-layer" / "reference.py").read_text(encoding="utf-8")
    assert "adj" in reference
    verdict = _grade(plan, tmp_path, reference.replace("def forward(self, h, adj):",
                                                       "def forward(self, h, adj):\n        adj = adj.mT"))
    assert verdict.diagnosis == "generic:mask-transposed" and _title(verdict) == "Mask `adj` read transposed"
    scaled = _grade(plan, tmp_path, reference.replace("self.negative_slope)  # [H, N_i, N_j]",
                                                      "self.negative_slope) / self.out_dim ** 0.5"))
    assert scaled.diagnosis == "generic:scale-factor" and "1/sqrt(Fo) = 1/sqrt(out_dim)" in _title(scaled)


def test_concatenated_blocks_in_the_wrong_order_are_named(tmp_path: Path) -> None:
    plan = _plan("temporal-attention")
    verdict = _named(plan, tmp_path, "temporal-attention", ("torch.cat([context, query], dim=-1)",
                                                            "torch.cat([query, context], dim=-1)"))
    assert verdict.diagnosis == "generic:concat-order" and "wrong order" in _title(verdict)
    unrelated = _named(plan, tmp_path, "temporal-attention", ("torch.cat([context, query], dim=-1)",
                                                              "torch.cat([context, query * 2], dim=-1)"))
    assert unrelated.diagnosis != "generic:concat-order"


def test_right_values_with_an_axis_of_size_one_too_many_are_named(sdpa: Plan, tmp_path: Path) -> None:
    verdict = _named(sdpa, tmp_path, "sdpa", ("return weights @ v", "return (weights @ v).unsqueeze(0)"))
    assert verdict.diagnosis == "generic:output-squeezed" and "has shape [1, " in _title(verdict)
    moved = _named(sdpa, tmp_path, "sdpa", ("return weights @ v", "return (weights @ v).transpose(-1, -2)"))
    assert moved.diagnosis != "generic:output-squeezed"  # the same size-1-free shape only when square
