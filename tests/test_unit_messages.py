"""Messages that let the author fix the bug: a crash names its call and hides nothing else, NaN on rows with
no allowed key is called that, an overflow names the op, value failures show the worst case, and a wrong
shape met by property code is the candidate's."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.plan import Plan, build_plan, load_question
from grader.verdict import grade_file

ROOT = Path(__file__).resolve().parent.parent


def _plan(qid: str) -> Plan:
    (path,) = (ROOT / "questions").glob(f"*/{qid}.yaml")
    return build_plan(load_question(path), ROOT / "solutions" / qid, "float32", "cpu", 0)


@pytest.fixture(scope="module")
def sdpa() -> Plan:
    return _plan("sdpa")


def _patched(qid: str, *edits: tuple[str, str]) -> str:
    source = (ROOT / "solutions" / qid / "reference.py").read_text(encoding="utf-8")
    for find, replace in edits:
        assert find in source, find
        source = source.replace(find, replace)
    return source


def _grade(plan: Plan, tmp_path: Path, source: str):
    path = tmp_path / "cand.py"
    path.write_text(source, encoding="utf-8")
    return grade_file(plan, path, lambda event: None)


CRASH_3D = ("    if scale is None:", "    if q.dim() == 3:\n        raise RuntimeError('boom')\n    if scale is None:")


def test_a_crash_names_the_call_and_the_other_checks_still_run(sdpa: Plan, tmp_path: Path) -> None:
    verdict = _grade(sdpa, tmp_path, _patched("sdpa", CRASH_3D))
    assert verdict.status == "error" and "RuntimeError: boom" in verdict.error
    values = verdict.check("values")
    assert values.passed is False
    assert "raised RuntimeError: boom on case 'three-dims' (q[3, 4, 16] float32, k[3, 6, 16] float32" in values.message
    assert "mask[4, 6] bool; seed 0)" in values.message
    for name in ("masked_keys_ignored", "batch_independent", "gradients", "stable_large_logits"):
        assert verdict.check(name).passed is True  # independent checks ran, on cases that do not crash


def test_a_crash_on_one_case_does_not_hide_the_main_bug(sdpa: Plan, tmp_path: Path) -> None:
    source = _patched("sdpa", CRASH_3D, ("scale = 1.0 / math.sqrt(q.shape[-1])", "scale = 1.0"))
    verdict = _grade(sdpa, tmp_path, source)
    values = verdict.check("values")
    assert verdict.status == "error" and values.passed is False
    assert "differs from the oracle" in values.message and "another case raised RuntimeError: boom" in values.message
    assert verdict.check("gradients").passed is False


NAN_ROWS = (("row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))", "pass"),
            ("weights / torch.where(denom > 0, denom, torch.ones_like(denom))", "weights / denom"))


def test_nan_on_rows_with_no_allowed_key_is_called_that(sdpa: Plan, tmp_path: Path) -> None:
    verdict = _grade(sdpa, tmp_path, _patched("sdpa", *NAN_ROWS))
    assert "row(s) with no allowed key" in verdict.check("finite").message
    assert verdict.check("batch_independent").passed is True  # not "batch items leak into each other"
    assert verdict.check("masked_keys_ignored").passed is True


def test_an_overflow_names_the_op_and_torch_softmax_is_not_told_to_subtract_the_max(sdpa: Plan,
                                                                                    tmp_path: Path) -> None:
    source = _patched("sdpa", ("scores = (q @ k.transpose(-2, -1)) * scale",
                               "scores = (q @ k.transpose(-2, -1)) * scale\n"
                               "    scores = scores * torch.cosh(scores) / torch.cosh(scores)"))
    message = _grade(sdpa, tmp_path, source).check("stable_large_logits").message
    assert "aten.cosh overflowed to inf" in message and "max" not in message
    exp = _patched("sdpa", ("weights = torch.exp(scores - row_max)", "weights = torch.exp(scores)"))
    message = _grade(sdpa, tmp_path, exp).check("stable_large_logits").message
    assert "aten.exp overflowed to inf" in message and "subtract each row's max" in message


def test_a_value_failure_shows_the_worst_case(sdpa: Plan, tmp_path: Path) -> None:
    source = _patched("sdpa", ("return weights @ v", "return weights @ v + 1e-3 * q.shape[-2]"))
    message = _grade(sdpa, tmp_path, source).check("values").message
    n = len(sdpa.cases)
    assert message.startswith("case 'larger'") and f"{n} of {n} cases fail; this is the worst" in message


def test_a_nan_mismatch_never_prints_an_error_below_the_tolerance(sdpa: Plan, tmp_path: Path) -> None:
    source = _patched("sdpa", ("return weights @ v", "out = weights @ v\n    out.view(-1)[0] = float('nan')\n"
                                                     "    return out"))
    message = _grade(sdpa, tmp_path, source).check("values").message
    assert "1 NaN/inf value(s) where the oracle is finite" in message and "max abs error" not in message


def test_a_wrong_shape_inside_a_property_check_is_the_candidates(tmp_path: Path) -> None:
    source = _patched("rope", ("    return out.to(x.dtype)",
                               "    return out.to(x.dtype).unsqueeze(0) if x.dim() == 2 else out.to(x.dtype)"))
    verdict = _grade(_plan("rope"), tmp_path, source)
    prop = verdict.check("properties")
    assert verdict.status == "failed" and prop.passed is False
    assert "internal" not in prop.message and "returned Tensor[1, 2, " in prop.message


def test_an_uninitialised_buffer_is_not_named_as_the_op_that_made_nan() -> None:
    import torch

    from grader.spy import FirstNonfinite

    nan = torch.full((64, 64), float("nan"))
    del nan  # its memory is what the next empty() of that size usually gets back: NaN garbage
    with FirstNonfinite() as mode:
        buf = torch.empty(64, 64).fill_(0.0)  # whatever empty() held is not a NaN it produced
        buf = torch.exp(buf + 1000.0)
    assert mode.found is not None and mode.found.startswith("aten.exp overflowed"), mode.found
