"""The sandbox's limits, on a tiny stand-in worker (no torch): CPU time for code that spins, a wall-clock cap
for code that sleeps, and a stop turned into a verdict with the checks that finished."""

from __future__ import annotations

import json
import sys
import textwrap
import time
from pathlib import Path

import pytest

from grader import sandbox
from grader.outcome import Settings

FAKE = textwrap.dedent("""
    import json, sys, time
    results = sys.argv[1]
    def emit(e):
        with open(results, "a") as fh:
            fh.write(json.dumps(e) + "\\n")
    emit({"type": "ready"})
    emit({"type": "start", "file": "cand.py"})
    emit({"type": "check", "file": "cand.py", "name": "signature", "passed": True, "message": "found", "details": {}})
    BODY
""")


def _run(tmp_path: Path, body: str, timeout: float) -> tuple[sandbox.Supervision, float, sandbox.Job]:
    script = tmp_path / "fake_worker.py"
    script.write_text(FAKE.replace("BODY", body), encoding="utf-8")
    job = sandbox.write_job(tmp_path, 1, tmp_path / "q.yaml", tmp_path, ["cand.py"], Settings())
    proc = sandbox.spawn([sys.executable, str(script), str(job.results)], job, sandbox.child_env(None))
    start = time.monotonic()
    sup = sandbox.supervise(proc, job.results, timeout)
    return sup, time.monotonic() - start, job


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="CPU time is read from /proc")
def test_a_spinning_candidate_is_stopped_at_the_cpu_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a loaded machine may give the spinner a fraction of a core: widen the wall cap so only CPU time can fire
    monkeypatch.setattr(sandbox, "WALL_FACTOR", 40.0)
    sup, elapsed, job = _run(tmp_path, "while True:\n    pass", timeout=0.5)
    assert sup.stop == "timeout" and sup.limit == "cpu" and sup.current == "cand.py"
    assert elapsed < 40.0 * 0.5
    assert "within 0.5 s of CPU time" in sandbox.stopped_verdict(sup, job.results, 0.5, "").checks[-1].message


def test_a_sleeping_candidate_is_not_a_cpu_hog_but_meets_the_wall_cap(tmp_path: Path) -> None:
    sup, elapsed, job = _run(tmp_path, "time.sleep(60)", timeout=0.5)
    assert sup.stop == "timeout" and sup.limit == "wall"
    assert elapsed >= sandbox.WALL_FACTOR * 0.5          # not killed at the CPU limit: it used no CPU
    v = sandbox.stopped_verdict(sup, job.results, 0.5, "")
    assert v.status == "timeout" and [c.name for c in v.checks] == ["signature", "run"]
    assert "within 0.5 s of wall-clock time" in v.checks[-1].message


def test_an_early_exit_is_a_crash_with_its_code(tmp_path: Path) -> None:
    sup, _, job = _run(tmp_path, "import os\nos._exit(7)", timeout=5.0)
    assert sup.stop == "crashed" and sup.code == 7
    v = sandbox.stopped_verdict(sup, job.results, 5.0, "last words")
    assert v.status == "crashed" and "exited with code 7" in v.checks[-1].message and v.output == "last words"


def test_a_finished_worker_sends_its_verdicts(tmp_path: Path) -> None:
    verdict = {"type": "verdict", "file": "cand.py", "question": "q", "passed": True, "status": "passed",
               "checks": [], "diagnosis": None, "diagnosis_text": None, "error": None}
    sup, _, _ = _run(tmp_path, f"emit(json.loads({json.dumps(verdict)!r}))", timeout=5.0)
    assert sup.stop is None and sup.code == 0 and sup.verdicts["cand.py"].passed


@pytest.mark.parametrize("cpu, wall, limit, hit", [
    (0.5, 0.5, 1.0, None), (1.01, 1.01, 1.0, "cpu"), (0.1, 2.9, 1.0, None), (0.1, 3.01, 1.0, "wall"),
    (None, 0.9, 1.0, None), (None, 1.01, 1.0, "wall"),   # no /proc: the wall clock is the limit itself
])
def test_limit_hit(cpu, wall, limit, hit) -> None:
    assert sandbox.limit_hit(cpu, wall, limit) == hit


def test_cpu_seconds_reads_this_process() -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("no /proc")
    import os

    t = time.process_time()
    while time.process_time() - t < 0.3:
        pass
    used = sandbox.cpu_seconds(os.getpid())
    assert used is not None and used >= 0.3
    assert sandbox.cpu_seconds(2**22 + 12345) is None
