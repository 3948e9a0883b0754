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


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="CPU time is read from /proc")
def test_the_cpu_time_of_the_candidates_process_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker waits while the candidate's own process (grader.host) spins: its CPU time is the file's."""
    monkeypatch.setattr(sandbox, "WALL_FACTOR", 40.0)
    body = ("import subprocess\nchild = subprocess.Popen([sys.executable, '-c', 'while True: pass'])\n"
            "emit({'type': 'start', 'file': 'cand.py', 'host': child.pid})\ntime.sleep(60)")
    sup, elapsed, _ = _run(tmp_path, body, timeout=0.5)
    assert sup.stop == "timeout" and sup.limit == "cpu" and sup.host is not None
    assert elapsed < 40.0 * 0.5


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
    (1.9, 1.9, 2.0, None), (2.01, 2.01, 2.0, "cpu"), (0.1, 5.9, 2.0, None), (0.1, 6.01, 2.0, "wall"),
    (None, 1.9, 2.0, None), (None, 2.01, 2.0, "wall"),
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


PROBE = textwrap.dedent("""
    import os, time
    with open("/proc/self/comm", "w") as fh:
        fh.write("a) b c")                       # a process name with a parenthesis and spaces in it
    t = time.process_time()
    while time.process_time() - t < 0.2:         # user time
        pass
    with open("/dev/zero", "rb") as fh:          # system time: the kernel fills the buffers
        while os.times().system < 0.2:
            fh.read(1 << 22)
    print(os.times().user + os.times().system, flush=True)
    time.sleep(60)
""")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="CPU time is read from /proc")
def test_cpu_seconds_is_user_plus_system_time_whatever_the_process_is_called() -> None:
    import subprocess

    proc = subprocess.Popen([sys.executable, "-c", PROBE], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            text=True)
    try:
        own = float(proc.stdout.readline())      # the child's own count, now that it only sleeps
        used = sandbox.cpu_seconds(proc.pid)
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    assert used is not None and own >= 0.2 and abs(used - own) <= 0.05


# a stand-in for `python -m grader.worker JOB [--more]`: grades files named *ok*, dies on files named *crash*,
# never finishes files named *hang*; with --more, ends each job with `done` and reads the next from stdin
FAKE_WORKER = textwrap.dedent("""
    import json, os, sys, time
    path = sys.argv[1]
    while path:
        job = json.load(open(path))
        def emit(e):
            with open(job["results"], "a") as fh:
                fh.write(json.dumps(e) + "\\n")
        if os.environ.get("FAKE_MODE") == "setup":
            print("cannot import torch")
            sys.exit(1)
        if os.environ.get("FAKE_MODE") == "slow-setup":
            time.sleep(60)
        emit({"type": "ready", "pid": os.getpid()})
        if os.environ.get("FAKE_MODE") == "idle":
            sys.exit(0)
        for f in job["files"]:
            emit({"type": "start", "file": f})
            emit({"type": "check", "file": f, "name": "signature", "passed": True, "message": "found", "details": {}})
            if "crash" in os.path.basename(f):
                print("last words of", os.path.basename(f), flush=True)
                os._exit(3)
            if "hang" in os.path.basename(f):
                time.sleep(60)
            emit({"type": "verdict", "file": f, "question": "q", "passed": True, "status": "passed", "checks": [],
                  "diagnosis": None, "diagnosis_text": None, "error": None})
        if os.environ.get("FAKE_MODE") == "hang-at-exit":  # e.g. a candidate's atexit handler or thread
            time.sleep(60)
        if os.environ.get("FAKE_MODE") == "fail-at-exit":
            sys.exit(1)
        path = ""
        if "--more" in sys.argv:
            emit({"type": "done"})
            path = sys.stdin.readline().strip()
""")


@pytest.fixture
def fake_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Run the fake worker instead of grader.worker; returns each attempt's command and job, as spawned."""
    script = tmp_path / "fake_grader_worker.py"
    script.write_text(FAKE_WORKER, encoding="utf-8")
    spawned: list[dict] = []
    real_spawn = sandbox.spawn

    def spawn(command, job, env, more=False):
        spawned.append({"command": command, "job": json.loads(job.path.read_text(encoding="utf-8")), "env": env})
        return real_spawn([sys.executable, str(script), *command[3:]], job, env, more)

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
    assert sandbox.tail(log, limit=3010) == "x" * 10 + "é" * 1500
    assert sandbox.tail(log, limit=3009) == "…" + "x" * 9 + "é" * 1500
    assert sandbox.tail(log) == "…" + "é" * 1000  # the last 2000 bytes by default
    assert sandbox.tail(log, limit=2001) == "…" + "\ufffd" + "é" * 1000  # cut inside a character
    assert sandbox.tail(tmp_path / "missing.log") == ""


def test_a_signal_death_is_named(tmp_path: Path) -> None:
    assert sandbox._signal_name(-11) == "SIGSEGV" and sandbox._signal_name(-200) == "signal 200"
    results = tmp_path / "r.jsonl"
    results.write_text("", encoding="utf-8")
    sup = sandbox.Supervision(current="cand.py", stop="crashed", code=-6)
    v = sandbox.stopped_verdict(sup, results, 1.0, "")
    assert v.status == "crashed" and "killed by SIGABRT" in v.checks[-1].message


def test_run_worker_gives_a_file_that_hangs_a_timeout_and_grades_the_rest(tmp_path: Path, fake_worker) -> None:
    files = [tmp_path / "a_ok.py", tmp_path / "b_hang.py", tmp_path / "c_ok.py"]
    verdicts = sandbox.run_worker(tmp_path / "q.yaml", tmp_path, files, Settings(), timeout=0.3,
                                  env={"FAKE_MODE": "grade"})
    assert [v.status for v in verdicts] == ["passed", "timeout", "passed"]
    hung = verdicts[1].checks
    assert [c.name for c in hung] == ["signature", "run"] and hung[-1].passed is False
    assert "did not finish within 0.3 s of wall-clock time" in hung[-1].message
    assert [s["job"]["files"] for s in fake_worker] == [[str(f) for f in files], [str(files[2])]]


def test_run_worker_reports_a_setup_that_never_ends(tmp_path: Path, fake_worker,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "SETUP_TIMEOUT", 0.3)
    with pytest.raises(AttnbankError, match=r"^the grader could not prepare this question \(still preparing after"):
        sandbox.run_worker(tmp_path / "q.yaml", tmp_path, [tmp_path / "a_ok.py"], Settings(), timeout=5.0,
                           env={"FAKE_MODE": "slow-setup"})
    assert len(fake_worker) == 1


def test_the_job_carries_every_setting(tmp_path: Path) -> None:
    settings = Settings(device="cuda", dtype="bfloat16", seed=3, tf32=True, contract=True)
    job = sandbox.write_job(tmp_path, 2, tmp_path / "q.yaml", tmp_path / "sol", ["a.py"], settings)
    data = json.loads(job.path.read_text(encoding="utf-8"))
    assert {k: data[k] for k in ("device", "dtype", "seed", "tf32", "contract")} == {
        "device": "cuda", "dtype": "bfloat16", "seed": 3, "tf32": True, "contract": True}
    assert data["files"] == ["a.py"] and data["results"] == str(job.results) and job.results.exists()


def test_child_env_makes_this_package_importable_and_keeps_the_callers_path(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    import grader

    root = str(Path(grader.__file__).resolve().parent.parent)
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    env = sandbox.child_env({"EXTRA": "1"})
    assert env["PYTHONUNBUFFERED"] == "1" and env["EXTRA"] == "1"
    assert env["PYTHONPATH"].split(os.pathsep) == [root, "/elsewhere"]
    monkeypatch.delenv("PYTHONPATH")
    assert sandbox.child_env(None)["PYTHONPATH"] == root


def test_the_worker_runs_in_the_job_folder_without_stdin_and_its_stderr_is_kept(tmp_path: Path) -> None:
    import os

    script = tmp_path / "probe.py"
    script.write_text("import os, sys\nprint(os.getcwd())\n"
                      "print(os.path.samestat(os.fstat(0), os.stat(os.devnull)))\n"
                      "sys.stderr.write('to stderr\\n')\n", encoding="utf-8")
    (tmp_path / "job").mkdir()
    job = sandbox.write_job(tmp_path / "job", 1, tmp_path / "q.yaml", tmp_path, [], Settings())
    saved, (read, write) = os.dup(0), os.pipe()  # our own stdin is a pipe: the child must not inherit it
    try:
        os.dup2(read, 0)
        proc = sandbox.spawn([sys.executable, str(script)], job, sandbox.child_env(None))
    finally:
        os.dup2(saved, 0)
        for fd in (saved, read, write):
            os.close(fd)
    assert proc.wait(timeout=30) == 0
    assert job.log.read_text(encoding="utf-8").splitlines() == [str(tmp_path / "job"), "True", "to stderr"]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process states are read from /proc")
def test_a_stopped_worker_is_killed_with_the_processes_it_started(tmp_path: Path) -> None:
    import os
    import signal

    pid_file = tmp_path / "grandchild.pid"
    body = ("import subprocess\n"
            "g = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
            f"open({str(pid_file)!r}, 'w').write(str(g.pid))\n"
            "time.sleep(60)")
    sup, _, _ = _run(tmp_path, body, timeout=0.3)
    assert sup.stop == "timeout"
    pid = int(pid_file.read_text())

    def alive() -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    try:
        deadline = time.monotonic() + 5
        while alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not alive()
    finally:
        if alive():
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("code, says", [
    (0, "the process exited with code 0 before grading finished"),
    (1, "the process exited with code 1 before grading finished"),
    (-9, "the process was killed by SIGKILL"),
])
def test_a_file_left_unfinished_is_a_failed_run_check(tmp_path: Path, code: int, says: str) -> None:
    results = tmp_path / "r.jsonl"
    results.write_text("", encoding="utf-8")
    v = sandbox.stopped_verdict(sandbox.Supervision(current="cand.py", stop="crashed", code=code), results, 1.0, "")
    assert v.status == "crashed" and v.checks[-1].name == "run" and v.checks[-1].passed is False
    assert v.checks[-1].message.startswith(says)


def test_a_worker_that_hangs_after_its_last_verdict_loses_nothing(tmp_path: Path, fake_worker) -> None:
    files = [tmp_path / "a_ok.py", tmp_path / "b_ok.py"]
    verdicts = sandbox.run_worker(tmp_path / "q.yaml", tmp_path, files, Settings(), timeout=0.3,
                                  env={"FAKE_MODE": "hang-at-exit"})
    assert [(v.file, v.status) for v in verdicts] == [(str(f), "passed") for f in files] and len(fake_worker) == 1


def test_a_worker_that_fails_after_its_last_verdict_loses_nothing(tmp_path: Path, fake_worker) -> None:
    files = [tmp_path / "a_ok.py", tmp_path / "b_ok.py"]
    verdicts = sandbox.run_worker(tmp_path / "q.yaml", tmp_path, files, Settings(), timeout=5.0,
                                  env={"FAKE_MODE": "fail-at-exit"})
    assert [(v.file, v.status) for v in verdicts] == [(str(f), "passed") for f in files] and len(fake_worker) == 1


def test_events_are_taken_a_complete_line_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text('{"m": "é"}\n{"n"', encoding="utf-8")  # the worker is still writing its second event
    events = sandbox._Events(path)
    assert events.new() == [{"m": "é"}] and events.new() == []
    with path.open("a", encoding="utf-8") as fh:
        fh.write(': "ü"}\n')
    assert events.new() == [{"n": "ü"}] and events.new() == []


def test_each_file_gets_the_whole_cpu_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the worker's setup (importing torch, the oracle) uses CPU time before the first file starts: not counted
    monkeypatch.setattr(sandbox, "WALL_FACTOR", 40.0)  # a loaded machine: only CPU time may stop it
    script = tmp_path / "setup_heavy.py"
    script.write_text(textwrap.dedent("""
        import json, sys, time
        def emit(e):
            with open(sys.argv[1], "a") as fh:
                fh.write(json.dumps(e) + "\\n")
        def spin(seconds):
            t = time.process_time()
            while time.process_time() - t < seconds:
                pass
        spin(0.6)
        emit({"type": "ready"})
        emit({"type": "start", "file": "cand.py"})
        spin(0.2)
        emit({"type": "verdict", "file": "cand.py", "status": "passed", "checks": []})
    """), encoding="utf-8")
    job = sandbox.write_job(tmp_path, 1, tmp_path / "q.yaml", tmp_path, ["cand.py"], Settings())
    proc = sandbox.spawn([sys.executable, str(script), str(job.results)], job, sandbox.child_env(None))
    sup = sandbox.supervise(proc, job.results, timeout=0.4)
    assert sup.stop is None and sup.verdicts["cand.py"].passed


def test_without_proc_the_wall_clock_is_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "cpu_seconds", lambda pid: None)
    sup, _, job = _run(tmp_path, "time.sleep(60)", timeout=0.3)
    assert sup.stop == "timeout" and sup.limit == "wall"
    assert "within 0.3 s of wall-clock time" in sandbox.stopped_verdict(sup, job.results, 0.3, "").checks[-1].message


def _ready_pids(events: list[dict]) -> list[int]:
    return [e["pid"] for e in events if e["type"] == "ready"]


def test_a_kept_worker_grades_job_after_job_in_one_process_until_a_crash(tmp_path: Path, fake_worker) -> None:
    events: list[dict] = []
    grade = [tmp_path / "a_ok.py", tmp_path / "b_ok.py"]
    with sandbox.Worker(keep=True) as worker:
        folder = worker.folder
        for files in (grade, [tmp_path / "c_ok.py"], [tmp_path / "d_crash.py", tmp_path / "e_ok.py"],
                      [tmp_path / "f_ok.py"]):
            verdicts = sandbox.run_worker(tmp_path / "q.yaml", tmp_path, files, Settings(), timeout=5.0,
                                          on_event=events.append, env={"FAKE_MODE": "grade"}, worker=worker)
            assert [v.file for v in verdicts] == [str(f) for f in files]
        assert [v.status for v in verdicts] == ["passed"]
        # one process for the first three jobs; the crash costs d its verdict and e and f a new process
        pids = _ready_pids(events)
        assert len(pids) == 5 and pids[0] == pids[1] == pids[2] != pids[3] == pids[4]
        assert [s["command"][-1] for s in fake_worker] == ["--more", "--more"]
        assert len(list(folder.rglob("job-*.json"))) == 1  # a finished job's files do not pile up
    assert not folder.exists()


def test_a_kept_worker_starts_afresh_for_another_environment(tmp_path: Path, fake_worker) -> None:
    events: list[dict] = []
    with sandbox.Worker(keep=True) as worker:
        for mode in ("grade", "grade", "other"):
            sandbox.run_worker(tmp_path / "q.yaml", tmp_path, [tmp_path / "a_ok.py"], Settings(), timeout=5.0,
                               on_event=events.append, env={"FAKE_MODE": mode}, worker=worker)
        proc = worker.proc
        assert proc is not None and proc.poll() is None
    pids = _ready_pids(events)
    assert pids[0] == pids[1] != pids[2] and [s["env"]["FAKE_MODE"] for s in fake_worker] == ["grade", "other"]
    assert proc.poll() == 0  # closing asks it to end: its stdin closes, it exits


def test_a_kept_worker_that_hangs_is_stopped_and_replaced(tmp_path: Path, fake_worker) -> None:
    events: list[dict] = []
    with sandbox.Worker(keep=True) as worker:
        files = [tmp_path / "a_hang.py", tmp_path / "b_ok.py"]
        verdicts = sandbox.run_worker(tmp_path / "q.yaml", tmp_path, files, Settings(), timeout=0.3,
                                      on_event=events.append, env={"FAKE_MODE": "grade"}, worker=worker)
    assert [v.status for v in verdicts] == ["timeout", "passed"]
    assert len(set(_ready_pids(events))) == 2
