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
from grader.errors import AttnbankError
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


def test_a_crash_that_shows_running_out_of_memory_is_status_memory(tmp_path: Path) -> None:
    body = ("sys.stderr.write(\"terminate called after throwing an instance of 'std::bad_alloc'\\n\")\n"
            "import os\nos.abort()")
    sup, _, job = _run(tmp_path, body, timeout=5.0)
    output = job.log.read_text(encoding="utf-8")
    v = sandbox.stopped_verdict(sup, job.results, 5.0, output)
    assert v.status == "memory" and "SIGABRT" in v.checks[-1].message and "ran out of memory" in v.checks[-1].message
    assert sandbox.stopped_verdict(sup, job.results, 5.0, "Fatal Python error").status == "crashed"


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


# a stand-in for `python -m grader.worker JOB`: grades files named *ok*, dies on files named *crash*
FAKE_WORKER = textwrap.dedent("""
    import json, os, sys
    job = json.load(open(sys.argv[1]))
    def emit(e):
        with open(job["results"], "a") as fh:
            fh.write(json.dumps(e) + "\\n")
    if os.environ.get("FAKE_MODE") == "setup":
        print("cannot import torch")
        sys.exit(1)
    emit({"type": "ready"})
    if os.environ.get("FAKE_MODE") == "idle":
        sys.exit(0)
    for f in job["files"]:
        emit({"type": "start", "file": f})
        emit({"type": "check", "file": f, "name": "signature", "passed": True, "message": "found", "details": {}})
        if "crash" in f:
            print("last words of", os.path.basename(f), flush=True)
            os._exit(3)
        emit({"type": "verdict", "file": f, "question": "q", "passed": True, "status": "passed", "checks": [],
              "diagnosis": None, "diagnosis_text": None, "error": None})
""")


@pytest.fixture
def fake_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Run the fake worker instead of grader.worker; returns each attempt's command and job, as spawned."""
    script = tmp_path / "fake_grader_worker.py"
    script.write_text(FAKE_WORKER, encoding="utf-8")
    spawned: list[dict] = []
    real_spawn = sandbox.spawn

    def spawn(command, job, env):
        spawned.append({"command": command, "job": json.loads(job.path.read_text(encoding="utf-8")), "env": env})
        return real_spawn([sys.executable, str(script), command[-1]], job, env)

    monkeypatch.setattr(sandbox, "spawn", spawn)
    return spawned


def test_run_worker_retries_the_files_left_after_a_crash(tmp_path: Path, fake_worker: list[dict]) -> None:
    files = [tmp_path / "a_ok.py", tmp_path / "b_crash.py", tmp_path / "c_ok.py"]
    events: list[dict] = []
    settings = Settings(dtype="float64", seed=7)
    verdicts = sandbox.run_worker(tmp_path / "q.yaml", tmp_path / "sol", files, settings, timeout=5.0,
                                  on_event=events.append, env={"FAKE_MODE": "grade"})
    assert [v.file for v in verdicts] == [str(f) for f in files]
    assert [v.status for v in verdicts] == ["passed", "crashed", "passed"]
    crashed = verdicts[1]
    assert "exited with code 3 before grading finished" in crashed.checks[-1].message
    assert [c.name for c in crashed.checks] == ["signature", "run"] and "last words of b_crash.py" in crashed.output
    assert [s["job"]["files"] for s in fake_worker] == [[str(f) for f in files], [str(files[2])]]
    first = fake_worker[0]
    assert first["command"][1:3] == ["-m", "grader.worker"] and first["command"][0] == sys.executable
    assert (first["job"]["question_file"], first["job"]["solutions"]) == (str(tmp_path / "q.yaml"),
                                                                          str(tmp_path / "sol"))
    assert (first["job"]["dtype"], first["job"]["seed"]) == ("float64", 7)
    assert first["env"]["FAKE_MODE"] == "grade" and first["env"]["PYTHONUNBUFFERED"] == "1"
    assert [e["type"] for e in events].count("ready") == 2 and events[-1]["type"] == "verdict"


@pytest.mark.parametrize("mode, message", [
    ("setup", "the grader could not prepare this question (exit 1):\ncannot import torch"),
    ("idle", "the grading process stopped before grading anything:\n"),
])
def test_run_worker_reports_a_worker_that_cannot_grade(tmp_path: Path, fake_worker, mode: str, message: str) -> None:
    with pytest.raises(AttnbankError) as err:
        sandbox.run_worker(tmp_path / "q.yaml", tmp_path, [tmp_path / "a_ok.py"], Settings(), timeout=5.0,
                           env={"FAKE_MODE": mode})
    assert str(err.value).startswith(message) and len(fake_worker) == 1


def test_tail_keeps_the_end_of_long_output(tmp_path: Path) -> None:
    log = tmp_path / "out.log"
    log.write_bytes(b"x" * 10 + "é".encode() * 1500)
    assert sandbox._tail(log, limit=3010) == "x" * 10 + "é" * 1500
    assert sandbox._tail(log, limit=3009) == "…" + "x" * 9 + "é" * 1500
    assert sandbox._tail(log) == "…" + "é" * 1000  # the last 2000 bytes by default
    assert sandbox._tail(log, limit=2001) == "…" + "\ufffd" + "é" * 1000  # cut inside a character
    assert sandbox._tail(tmp_path / "missing.log") == ""


def test_a_signal_death_is_named(tmp_path: Path) -> None:
    assert sandbox._signal_name(-11) == "SIGSEGV" and sandbox._signal_name(-200) == "signal 200"
    results = tmp_path / "r.jsonl"
    results.write_text("", encoding="utf-8")
    sup = sandbox.Supervision(current="cand.py", stop="crashed", code=-6)
    v = sandbox.stopped_verdict(sup, results, 1.0, "")
    assert v.status == "crashed" and "killed by SIGABRT" in v.checks[-1].message
