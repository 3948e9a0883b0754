"""The verdict type: its JSON form (what `grade --json` prints) and its round trip across the process boundary."""

from __future__ import annotations

import pytest

from grader.outcome import JSON_KEYS, STATUSES, CheckResult, Verdict


def test_statuses_include_internal() -> None:
    assert STATUSES == ("passed", "failed", "error", "internal", "timeout", "memory", "crashed", "invalid")


def test_json_form_keys_and_round_trip() -> None:
    checks = [CheckResult("values", False, "off", {"max_abs_err": 0.5}), CheckResult("speed", None, "cpu")]
    v = Verdict(file="a.py", question="sdpa", status="failed", checks=checks,
                diagnosis="m", diagnosis_text={"title": {"en": "t", "zh": "题"},
                                               "explanation": {"en": "e", "zh": "释"}},
                error="trace", dtypes=["float32", "float64", "bfloat16"])
    d = v.as_dict()
    assert list(d) == list(JSON_KEYS) and d["passed"] is False and "output" not in d
    assert d["checks"][0] == {"name": "values", "passed": False, "message": "off", "details": {"max_abs_err": 0.5}}
    assert Verdict.from_dict(d) == v and Verdict.from_dict(d).dtypes == ["float32", "float64", "bfloat16"]
    assert Verdict.from_dict({k: d[k] for k in d if k != "dtypes"}).dtypes == []  # a verdict written before dtypes
    crashed = Verdict(file="b.py", status="crashed", output="last")
    assert crashed.as_dict()["output"] == "last" and Verdict.from_dict(crashed.as_dict()) == crashed


def test_passed_follows_the_status_only() -> None:
    assert Verdict(file="a", status="passed").passed
    for s in STATUSES[1:]:
        assert not Verdict(file="a", status=s).passed  # type: ignore[arg-type]


def test_failed_checks_and_lookup() -> None:
    v = Verdict(file="a", checks=[CheckResult("a", True, ""), CheckResult("b", False, ""), CheckResult("c", None, "")])
    assert [c.name for c in v.failed_checks()] == ["b"]
    assert v.check("c").passed is None
    with pytest.raises(KeyError, match="zz not in"):
        v.check("zz")


def test_unknown_status_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown verdict status"):
        Verdict.from_dict({"file": "a", "status": "weird", "checks": []})
