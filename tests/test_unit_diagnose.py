"""Generic diagnoses (grader.diagnose, grader.diagnosers): each names the bug it models and nothing else.

The plans here have their question's known mistakes removed, so whatever names a failure is generic.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.plan import Plan, build_plan, load_question
from grader.verdict import grade_file

ROOT = Path(__file__).resolve().parent.parent


def _plan(qid: str, keep_mistakes: bool = False) -> Plan:
    (path,) = (ROOT / "questions").glob(f"*/{qid}.yaml")
    q = load_question(path)
    if not keep_mistakes:
        q = q.model_copy(update={"coding": q.coding.model_copy(update={"mistakes": []})})
    return build_plan(q, ROOT / "solutions" / qid, "float32", "cpu", 0)


@pytest.fixture(scope="module")
def sdpa() -> Plan:
    return _plan("sdpa")


def _reference(qid: str) -> str:
    return (ROOT / "solutions" / qid / "reference.py").read_text(encoding="utf-8")


def _patched(qid: str, *edits: tuple[str, str]) -> str:
    source = _reference(qid)
    for find, replace in edits:
        assert find in source, find
        source = source.replace(find, replace)
    return source


def _grade(plan: Plan, tmp_path: Path, source: str):
    path = tmp_path / "cand.py"
    path.write_text(source, encoding="utf-8")
    return grade_file(plan, path, lambda event: None)


SDPA_CASES = sum(1 for c in load_question(next((ROOT / "questions").glob("*/sdpa.yaml"))).coding.cases
                 if not c.raises)  # value cases of sdpa


@pytest.mark.parametrize("edits, diagnosis, params", [
    ([("scale = 1.0 / math.sqrt(q.shape[-1])", "scale = 1.0")], "generic:scale-default", "Scale 1 used"),
    ([("if scale is None:", "if True:")], "generic:argument-ignored", "`scale` ignored"),
    ([("masked_fill(~mask,", "masked_fill(mask,")], "generic:mask-inverted", "Mask `mask`"),
    ([("row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))", "pass"),
      ("weights / torch.where(denom > 0, denom, torch.ones_like(denom))", "weights / denom")],
     "generic:nan-empty-rows", "NaN on rows"),
    ([('masked_fill(~mask, float("-inf"))', "masked_fill(~mask, -1e9)")], "generic:empty-rows-not-zero",
     "rows with no allowed key"),
    ([("return weights @ v", "return (weights @ v).double()")], "generic:output-dtype", "float64, not float32"),
    ([("scores.amax(dim=-1, keepdim=True)", "scores.amax(dim=-2, keepdim=True)"),
      ("weights.sum(dim=-1, keepdim=True)", "weights.sum(dim=-2, keepdim=True)")], "generic:softmax-axis",
     "axis -2"),
])
def test_each_generic_diagnoser_names_its_bug(sdpa: Plan, tmp_path: Path, edits, diagnosis, params) -> None:
    verdict = _grade(sdpa, tmp_path, _patched("sdpa", *edits))
    assert verdict.status == "failed" and verdict.diagnosis == diagnosis
    text = verdict.diagnosis_text
    assert params in text["title"]["en"] and text["title"]["zh"] and text["explanation"]["zh"]
    assert text["cases"] == {"matched": SDPA_CASES, "total": SDPA_CASES}


def test_a_partial_match_says_on_how_many_cases(sdpa: Plan, tmp_path: Path) -> None:
    source = _patched("sdpa", ("masked_fill(~mask,", "masked_fill(mask if q.dim() == 4 else ~mask,"))
    verdict = _grade(sdpa, tmp_path, source)
    assert verdict.diagnosis == "generic:mask-inverted"
    assert verdict.diagnosis_text["cases"] == {"matched": SDPA_CASES - 1, "total": SDPA_CASES}
    assert f"on {SDPA_CASES - 1} of {SDPA_CASES} cases" in verdict.diagnosis_text["title"]["en"]


@pytest.mark.parametrize("edits", [
    [("return weights @ v", "return (weights @ v) * 1.01")],  # no transform models a rescaled output
    [("return weights @ v", "out = weights @ v\n    out[..., 0, :] += 1\n    return out")],  # a full row wrong
    [("weights = torch.exp(scores - row_max)", "weights = torch.exp(scores - row_max) + 1e-3")],
])
def test_a_bug_no_diagnoser_models_gets_no_name(sdpa: Plan, tmp_path: Path, edits) -> None:
    verdict = _grade(sdpa, tmp_path, _patched("sdpa", *edits))
    assert verdict.status == "failed" and verdict.diagnosis is None and verdict.diagnosis_text is None


def test_the_known_mistake_stays_first(tmp_path: Path) -> None:
    verdict = _grade(_plan("sdpa", keep_mistakes=True), tmp_path,
                     _patched("sdpa", ("masked_fill(~mask,", "masked_fill(mask,")))
    assert verdict.diagnosis == "mask-inverted" and "cases" not in verdict.diagnosis_text


def test_a_passing_candidate_runs_no_generic_diagnoser(sdpa: Plan, tmp_path: Path, monkeypatch) -> None:
    import grader.diagnose

    def boom(*args):
        raise AssertionError("a generic diagnoser ran on a passing candidate")

    monkeypatch.setattr(grader.diagnose, "generic_diagnosis", boom)
    assert _grade(sdpa, tmp_path, _reference("sdpa")).passed


def test_softmax_over_another_axis_through_torch_softmax(tmp_path: Path) -> None:
    verdict = _grade(_plan("causal-attention"), tmp_path,
                     _patched("causal-attention", ("torch.softmax(scores, dim=-1)", "torch.softmax(scores, dim=-2)")))
    assert verdict.diagnosis == "generic:softmax-axis" and "axis -2" in verdict.diagnosis_text["title"]["en"]


def test_scores_off_by_a_factor_in_a_module_without_a_scale_argument(tmp_path: Path) -> None:
    verdict = _grade(_plan("cross-attention"), tmp_path,
                     _patched("cross-attention", ("/ math.sqrt(d)", "/ math.sqrt(e)")))
    assert verdict.diagnosis == "generic:scale-factor"
    assert "1/sqrt(num_heads)" in verdict.diagnosis_text["title"]["en"]


@pytest.mark.parametrize("edit, diagnosis, words", [
    ("offset = 0 if q_offset is None else q_offset", "generic:none-as-value",
     "`q_offset=None` handled as `q_offset=0`"),
    ("offset = q_offset or (lk - lq)", "generic:falsy-as-none", "falsy `q_offset`"),
])
def test_none_and_falsy_arguments(tmp_path: Path, edit, diagnosis, words) -> None:
    source = _patched("build-attention-mask", ("offset = lk - lq if q_offset is None else q_offset", edit))
    verdict = _grade(_plan("build-attention-mask"), tmp_path, source)
    assert verdict.diagnosis == diagnosis and words in verdict.diagnosis_text["title"]["en"]


def test_rope_pairs_interleaved_instead_of_halves(tmp_path: Path) -> None:
    source = _patched("rope", ("x1, x2 = xf[..., :half], xf[..., half:]", "x1, x2 = xf[..., 0::2], xf[..., 1::2]"),
                      ("out = torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)",
                       "out = torch.stack([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1).flatten(-2)"))
    verdict = _grade(_plan("rope"), tmp_path, source)
    assert verdict.diagnosis == "generic:pairs-interleaved"


def test_rows_with_no_allowed_key_under_a_bias_are_found_through_the_mask(tmp_path: Path) -> None:
    """The output projection's bias makes such rows non-zero: the question's mask says which they are."""
    verdict = _grade(_plan("cross-attention"), tmp_path,
                     _patched("cross-attention", ('float("-inf"))', "-1e9)")))
    assert verdict.diagnosis == "generic:empty-rows-not-zero"


@pytest.mark.parametrize("edit, diagnosis, words", [
    (("    lq, lk = q.shape[-2], k.shape[-2]\n    if lq > lk:", "    lq, lk = q.shape[-2], k.shape[-2]\n    if False:"),
     "generic:accepts-invalid", "Invalid arguments accepted (case more-queries-than-keys)"),
    (("raise ValueError(f\"causal attention needs", "raise RuntimeError(f\"causal attention needs"),
     "generic:wrong-exception", "RuntimeError instead of ValueError"),
    (("    scores = (q @ k.transpose(-2, -1)) * scale", "    q.mul_(scale)\n    scores = q @ k.transpose(-2, -1)"),
     "generic:mutates-input", "Argument `q` modified in place"),
])
def test_right_values_with_a_validation_or_mutation_bug(tmp_path: Path, edit, diagnosis, words) -> None:
    verdict = _grade(_plan("causal-attention"), tmp_path, _patched("causal-attention", edit))
    assert verdict.diagnosis == diagnosis and words in verdict.diagnosis_text["title"]["en"]


def test_weights_applied_transposed(tmp_path: Path) -> None:
    source = _patched("multi-head-attention", *[(f"F.linear({x}, w_{c}, b_{c})", f"F.linear({x}, w_{c}.T, b_{c})")
                                               for x, c in (("x_q", "q"), ("x_kv", "k"), ("x_kv", "v"), ("out", "o"))])
    verdict = _grade(_plan("multi-head-attention"), tmp_path, source)
    assert verdict.diagnosis == "generic:weights-transposed"


def test_the_scale_of_torch_sdpa_off_by_a_factor(tmp_path: Path) -> None:
    source = _patched("sdpa-api-conventions", ("attn_mask=keep)", "attn_mask=keep, scale=1 / q.shape[-1])"))
    verdict = _grade(_plan("sdpa-api-conventions"), tmp_path, source)
    assert verdict.diagnosis == "generic:scale-factor" and "1/sqrt(D)" in verdict.diagnosis_text["title"]["en"]


def test_heads_split_and_merged_by_a_view_without_the_transpose(tmp_path: Path) -> None:
    edits = [(f"self.{n}_proj(x).view(b, l, h, d).transpose(1, 2)", f"self.{n}_proj(x).view(b, h, l, d)")
             for n in "qkv"]
    edits.append(("(weights @ v).transpose(1, 2).reshape(b, l, e)", "(weights @ v).reshape(b, l, e)"))
    verdict = _grade(_plan("self-attention-module"), tmp_path, _patched("self-attention-module", *edits))
    assert verdict.diagnosis == "generic:transpose-as-view"
    title = verdict.diagnosis_text["title"]
    assert "(every transpose of two axes)" in title["en"] and "每一个" in title["zh"]


def test_a_factor_is_never_named_after_the_batch_size(tmp_path: Path) -> None:
    """B equals H on every case of this question: the model-dim scale is 1/sqrt(H) off, never 1/sqrt(B)."""
    source = _patched("sdpa-api-conventions",
                      ("attn_mask=keep)", "attn_mask=keep, scale=1 / (q.shape[1] * q.shape[-1]) ** 0.5)"))
    verdict = _grade(_plan("sdpa-api-conventions"), tmp_path, source)
    assert verdict.diagnosis == "generic:scale-factor"
    assert "factor 1/sqrt(H)" in verdict.diagnosis_text["title"]["en"]
