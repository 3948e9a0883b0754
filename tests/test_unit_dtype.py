"""The dtype contract of a plain grade (grader.contract) and the at-least-float32 rule (the precision check)."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import pytest
import torch
from rich.console import Console

from grader.contract import MAX_CASES, Contract, contract_dtypes, pick_cases
from grader.grading import grade
from grader.outcome import Verdict
from grader.plan import Plan, build_plan, load_question
from grader.report import render
from grader.spy import HalfOps

ROOT = Path(__file__).resolve().parent.parent
PASSES = {"dtype_float64", "dtype_bfloat16"}


def _question(qid: str):
    (path,) = (ROOT / "questions").glob(f"*/{qid}.yaml")
    return load_question(path)


@pytest.fixture(scope="module")
def sdpa() -> tuple[Plan, Contract]:
    q = _question("sdpa")
    sol = ROOT / "solutions" / "sdpa"
    return build_plan(q, sol, "float32", "cpu", 0), Contract(q, sol, ["float64", "bfloat16"], "cpu", 0)


def _grade(plan: Plan, contract: Contract, tmp_path: Path, source: str) -> Verdict:
    path = tmp_path / "cand.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return grade(plan, contract, path, lambda event: None)


SDPA_FLOAT32_ALWAYS = """
import math
import torch

def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    q, k, v = q.float(), k.float(), v.float()  # computes in float32 and never casts back
    s = (q @ k.transpose(-2, -1)) * scale
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else s + mask.float()
    m = s.amax(-1, keepdim=True)
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
    e = torch.exp(s - m)
    d = e.sum(-1, keepdim=True)
    return (e / torch.where(d > 0, d, torch.ones_like(d))) @ v
"""


def test_a_float32_always_candidate_passes_float32_but_fails_the_plain_grade(sdpa, tmp_path: Path) -> None:
    verdict = _grade(*sdpa, tmp_path, SDPA_FLOAT32_ALWAYS)
    assert verdict.status == "failed"
    assert all(c.passed for c in verdict.checks if c.name not in PASSES), verdict.failed_checks()
    failed = verdict.check("dtype_float64")
    assert failed.passed is False and "returned float32 for float64 inputs" in failed.message
    assert "cast the result back" in failed.message
    assert verdict.check("dtype_bfloat16").passed is False
    assert verdict.dtypes == ["float32", "float64", "bfloat16"]
    # right once cast (at the matching tolerance): named as the wrong output dtype
    assert verdict.diagnosis == "generic:output-dtype"
    assert "returned as float32" in verdict.diagnosis_text["title"]["en"]


def test_a_correct_candidate_passes_every_contract_dtype(sdpa, tmp_path: Path) -> None:
    verdict = _grade(*sdpa, tmp_path, (ROOT / "solutions" / "sdpa" / "reference.py").read_text())
    assert verdict.status == "passed", verdict.failed_checks()
    assert verdict.check("dtype_float64").passed and verdict.check("dtype_bfloat16").passed
    assert verdict.dtypes == ["float32", "float64", "bfloat16"]
    out = io.StringIO()
    render(verdict, Console(file=out, width=200))
    assert "dtypes run: float32, float64, bfloat16" in out.getvalue()


def test_contract_passes_run_only_after_a_pass(sdpa, tmp_path: Path) -> None:
    wrong = (ROOT / "solutions" / "sdpa" / "reference.py").read_text().replace("weights @ v", "weights @ v * 2")
    verdict = _grade(*sdpa, tmp_path, wrong)
    assert verdict.status == "failed" and verdict.dtypes == ["float32"]
    assert not PASSES & {c.name for c in verdict.checks}


def test_the_contract_dtypes_are_those_the_question_allows() -> None:
    assert contract_dtypes(_question("sdpa"), "float32") == ["float64", "bfloat16", "float16"]
    assert contract_dtypes(_question("sdpa"), "float64") == ["bfloat16", "float16"]
    assert contract_dtypes(_question("prefix-lm-mask"), "float32") == ["float64"]  # graded in float32/float64 only
    # Triton's CPU interpreter has no bfloat16: the question names its passes
    assert contract_dtypes(_question("triton-flash-attention"), "float32") == ["float16"]


def test_contract_cases_cover_the_argument_kinds() -> None:
    q = _question("sdpa")
    chosen = pick_cases(q, "bfloat16")
    assert 1 < len(chosen) <= MAX_CASES and 0 in chosen
    kinds = {type(q.coding.cases[i].args.get("mask")).__name__ for i in chosen}
    assert len(kinds) > 1  # a case with a mask and one without
    assert not any(q.coding.cases[i].raises for i in chosen)


def test_a_case_written_for_half_precision_is_always_in_its_contract_pass() -> None:
    q = _question("triton-flash-attention")
    (pinned,) = [i for i, c in enumerate(q.coding.cases) if c.id == "half-accumulator-range"]
    assert pinned in pick_cases(q, "float16") and len(pick_cases(q, "float16")) == MAX_CASES + 1
    assert pinned not in pick_cases(q, "float32")


def _masked_softmax(tmp_path: Path, source: str) -> Verdict:
    q = _question("stable-masked-softmax")
    sol = ROOT / "solutions" / "stable-masked-softmax"
    return _grade(build_plan(q, sol, "float32", "cpu", 0), Contract(q, sol, [], "cpu", 0), tmp_path, source)


def test_a_half_precision_softmax_fails_precision_naming_the_op_and_line(tmp_path: Path) -> None:
    source = """
    import torch

    def masked_softmax(scores, mask, dim=-1):
        mask = torch.broadcast_to(mask, scores.shape)
        x = scores.masked_fill(~mask, float("-inf"))
        m = x.amax(dim=dim, keepdim=True)
        m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
        e = torch.exp(x - m)
        d = e.sum(dim=dim, keepdim=True)
        return e / torch.where(d > 0, d, torch.ones_like(d))
    """
    verdict = _masked_softmax(tmp_path, source)
    result = verdict.check("precision")
    assert result.passed is False and verdict.status == "failed"
    line = textwrap.dedent(source).splitlines().index("    e = torch.exp(x - m)") + 1
    assert result.details["op"] == "aten.exp" and result.details["line"] == line
    assert f"cand.py:{line}" in result.message and "bfloat16" in result.message
    assert verdict.diagnosis == "half-precision-arithmetic"


def test_a_torch_softmax_on_half_inputs_is_caught_inside_torch(tmp_path: Path) -> None:
    source = """
    import torch

    def masked_softmax(scores, mask, dim=-1):
        x = scores.masked_fill(~torch.broadcast_to(mask, scores.shape), float("-inf"))
        p = torch.softmax(x, dim=dim)
        return torch.nan_to_num(p, nan=0.0)
    """
    result = _masked_softmax(tmp_path, source).check("precision")
    assert result.passed is False and result.details["op"] == "aten._softmax"


def test_matmuls_in_half_precision_are_allowed(tmp_path: Path) -> None:
    q = _question("attention-backward")
    sol = ROOT / "solutions" / "attention-backward"
    source = (sol / "reference.py").read_text()
    # the scores' matmul in the input dtype, everything the rule covers in float32
    source = source.replace("s = (q_ @ k_.transpose(-2, -1)) * scale",
                            "s = (q @ k.transpose(-2, -1)).to(work) * scale")
    assert "(q @ k.transpose" in source
    verdict = _grade(build_plan(q, sol, "float32", "cpu", 0), Contract(q, sol, [], "cpu", 0), tmp_path, source)
    assert verdict.status == "passed", verdict.failed_checks()
    assert verdict.check("precision").passed


def test_half_ops_ignore_code_outside_the_candidates_files() -> None:
    x = torch.randn(3, 4, dtype=torch.bfloat16)
    recorder = HalfOps(["exp", "softmax"], {"/nowhere/cand.py"})
    with recorder:
        torch.exp(x).softmax(-1)
    assert recorder.found == []
    here = HalfOps(["exp"], {__file__})
    with here:
        torch.exp(x.float())  # float32: allowed
        torch.exp(x)
    assert [(h.op, h.dtype) for h in here.found] == [("aten.exp", "bfloat16")]


@pytest.mark.parametrize("body, failed", [
    ("torch.ones(T, T, dtype=torch.bool).tril()", True),                     # ignores `device`
    ("torch.ones(T, T, dtype=torch.bool, device=device).tril()", False),
    ("torch.ones(T, T, dtype=torch.bool).tril().to(device)", False),
    ("torch.ones(int(torch.tensor(T, device=device).item()), T, dtype=torch.bool).tril().to(device)", False),
])
def test_a_device_argument_is_probed_on_meta(tmp_path: Path, body: str, failed: bool) -> None:
    from grader.candidate import Candidate
    from grader.checks.base import Context, Outputs
    from grader.checks.numerics import dtype_device
    from grader.loader import load_source

    q = _question("chunked-streaming-mask")
    plan = build_plan(q, ROOT / "solutions" / q.id, "float32", "cpu", 0)
    src = f"import torch\n\ndef chunk_causal_mask(T, chunk_size, left_chunks=-1, device=None):\n    return {body}\n"
    fn = load_source(src, str(tmp_path / "c.py")).chunk_causal_mask
    ctx = Context(plan, Candidate.local(fn, {str(tmp_path / "c.py")}, [], aten=False))
    result = dtype_device(ctx, {"device_arg": "device"}, Outputs(ctx))
    assert (result.passed is False) == failed, result.message
    if failed:
        assert "device='meta'" in result.message
