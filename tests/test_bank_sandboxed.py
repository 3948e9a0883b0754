"""Every coding question's reference passes when graded as a submission is: in the candidates' process (in the
sandbox where it runs), its arguments and answers sent over the wire. `attnbank check` grades the bank's own
files in the worker's process instead, so an argument the wire cannot carry (mlm-masking's torch.Generator)
would fail every student's correct file while the bank's self-check stayed green."""

from __future__ import annotations

import pytest
from conftest import ROOT

from grader.grade import grade_files
from grader.index import load_index
from grader.outcome import Settings
from grader.sandbox import Worker

CODING = [e for e in load_index(ROOT)["questions"] if e["kind"] == "coding"]


@pytest.fixture(scope="module")
def worker():
    with Worker(keep=True) as kept:  # one grading worker for the whole bank, as a grade-batch slot keeps it
        yield kept


@pytest.mark.parametrize("entry", CODING, ids=[e["id"] for e in CODING])
def test_the_reference_passes_as_a_submission(entry, worker) -> None:
    if "triton" in entry.get("requires", []):
        pytest.importorskip("triton", reason="the Triton question needs triton (CI installs it with [dev])")
    (verdict,) = grade_files(ROOT, entry, [ROOT / "solutions" / entry["id"] / "reference.py"], Settings(),
                             worker=worker)
    failed = [f"{c.name}: {c.message}" for c in verdict.checks if c.passed is False]
    assert verdict.status == "passed", failed
