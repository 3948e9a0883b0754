"""Run the grading worker in a child process with per-file limits; never import candidate code here.

The child streams JSON lines to a results file (see grader.worker). A timeout, a crash or an early exit
becomes an ordinary verdict, and the files not yet graded are retried in a fresh child. The steps:
write the job, spawn the child (or hand the job to a kept one: Worker), supervise it (read its events, enforce
the limits), turn a stop into a verdict, retry.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import AttnbankError
from .jail import available, exhausted, remove
from .outcome import CheckResult, Settings, Status, Verdict

NO_SANDBOX = ("the sandbox cannot run on this machine (bubblewrap is missing or cannot create namespaces): "
              "install bubblewrap, or pass --unsandboxed to grade trusted files without it")
SETUP_TIMEOUT = 600.0  # importing torch and preparing the oracle (compiling kernels), before any candidate runs
WALL_FACTOR = 3.0      # a candidate that sleeps or blocks uses no CPU: it is stopped at this many times the limit
POLL = 0.02

OnEvent = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Job:
    """The files of one worker attempt: the job it reads, the results it writes, its captured output."""

    path: Path
    results: Path
    log: Path


def write_job(tmp: Path, attempt: int, question_file: Path, solutions: Path, files: list[str],
              settings: Settings, host_env: dict[str, str] | None = None, log: Path | None = None) -> Job:
    """The job file of one attempt in `tmp`; its output goes to `log` (a kept worker's), else a log of its own."""
    if settings.sandboxed and not settings.trusted and not available():
        raise AttnbankError(NO_SANDBOX)
    job = Job(tmp / f"job-{attempt}.json", tmp / f"results-{attempt}.jsonl", log or tmp / f"output-{attempt}.log")
    job.path.write_text(json.dumps({
        "question_file": str(question_file), "solutions": str(solutions), "files": files, "dtype": settings.dtype,
        "device": settings.device, "seed": settings.seed, "tf32": settings.tf32, "contract": settings.contract,
        "trusted": settings.trusted, "jail": not settings.trusted and available(), "results": str(job.results),
        "log": str(job.log), "host_env": host_env or {}}),
        encoding="utf-8")
    job.results.touch()
    return job


def child_env(extra: dict[str, str] | None) -> dict[str, str]:
    """The worker's environment: ours, plus `extra`, with this package importable."""
    env = {**os.environ, **(extra or {}), "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent.parent),
                                                      env.get("PYTHONPATH")]))
    return env


def spawn(command: list[str], job: Job, env: dict[str, str], more: bool = False) -> subprocess.Popen:
    """Start `command` in its own session (so it can be killed with everything it started); with `more`, its
    stdin is a pipe that takes the paths of further jobs (grader.worker --more)."""
    with job.log.open("wb") as log:
        return subprocess.Popen(command, cwd=job.path.parent, stdin=subprocess.PIPE if more else subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env)


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) used so far by process `pid`, where /proc tells; else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def limit_hit(cpu_used: float | None, wall: float, limit: float) -> str | None:
    """Which limit a run has passed: "cpu" (CPU time, fair on a loaded machine), "wall" (the cap for code that
    sleeps or blocks, or where CPU time cannot be read), or None."""
    if cpu_used is not None and cpu_used > limit:
        return "cpu"
    if wall > (WALL_FACTOR * limit if cpu_used is not None else limit):
        return "wall"
    return None


def kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


@dataclass
class Supervision:
    """What happened to one worker: the verdicts it sent, and how it stopped if it did not finish."""

    verdicts: dict[str, Verdict] = field(default_factory=dict)
    ready: bool = False
    current: str | None = None  # the file being graded when it stopped
    host: int | None = None     # the process of the candidate being graded (grader.remote), if any
    stop: str | None = None     # None (finished), "timeout", "crashed", "setup" or "setup-timeout"
    limit: str | None = None    # for a timeout: "cpu" or "wall"
    code: int | None = None     # the exit code (negative: killed by that signal)


class _Events:
    """Reads the complete JSON lines the worker has appended to its results file since the last read."""

    def __init__(self, path: Path):
        self.path, self.offset = path, 0

    def new(self) -> list[dict[str, Any]]:
        with self.path.open(encoding="utf-8") as fh:
            fh.seek(self.offset)
            chunk = fh.read()
        complete = chunk[: chunk.rfind("\n") + 1]
        self.offset += len(complete.encode("utf-8"))
        return [json.loads(line) for line in complete.splitlines()]


def supervise(proc: subprocess.Popen, results: Path, timeout: float, on_event: OnEvent | None = None,
              files: Collection[str] = ()) -> Supervision:
    """Follow the worker's events until it exits, has sent a verdict for each of `files`, ends the job (a kept
    worker's `done`) or passes a limit (then kill it): `timeout` per file from its start, SETUP_TIMEOUT of
    wall-clock time for preparing (the plan, before ready; a candidate's process, between files)."""
    sup = Supervision()
    events = _Events(results)
    started, cpu_start = time.monotonic(), 0.0
    while True:
        code = proc.poll()
        for event in events.new():
            if on_event:
                on_event(event)
            if event["type"] == "ready":
                sup.ready, started = True, time.monotonic()
            elif event["type"] == "start":
                sup.current, sup.host, started = event["file"], event.get("host"), time.monotonic()
                cpu_start = _cpu(proc.pid, sup.host) or 0.0
            elif event["type"] == "verdict":
                sup.verdicts[event["file"]] = Verdict.from_dict({k: v for k, v in event.items() if k != "type"})
                sup.current = sup.host = None
                started = time.monotonic()  # until the next start: preparing (the next candidate's process)
                if files and all(f in sup.verdicts for f in files):
                    return sup
            elif event["type"] == "done":
                return sup
        if code is not None:
            sup.code = code
            if sup.current is not None:
                sup.stop = "crashed"
            elif not sup.ready and code != 0:
                sup.stop = "setup"
            return sup
        cpu = _cpu(proc.pid, sup.host)
        wall = time.monotonic() - started
        if sup.current is not None:  # a file's limits count from its start
            sup.limit = limit_hit(None if cpu is None else cpu - cpu_start, wall, timeout)
        else:
            sup.limit = "wall" if wall > SETUP_TIMEOUT else None
        if sup.limit:
            kill(proc)
            sup.stop = "timeout" if sup.current is not None else "setup-timeout"
            return sup
        time.sleep(POLL)


def _cpu(worker: int, host: int | None) -> float | None:
    """CPU seconds of the worker and of the candidate's process it grades in (if any and still alive)."""
    used = cpu_seconds(worker)
    return None if used is None else used + ((cpu_seconds(host) or 0.0) if host else 0.0)


def crash_message(code: int | None) -> str:
    """How a process that died while grading (exit status `code`, negative for a signal) is reported."""
    if code == -signal.SIGXFSZ:
        return "the process was killed by SIGXFSZ: it wrote a file larger than the sandbox allows"
    if code is not None and code < 0:
        return f"the process was killed by {_signal_name(code)} (a segfault or abort in native code?)"
    return f"the process exited with code {code} before grading finished (os._exit or exit()?)"


def stopped_verdict(sup: Supervision, results: Path, timeout: float, output: str) -> Verdict:
    """The verdict of the file a worker was grading when it was stopped or died, with the checks it finished."""
    assert sup.current is not None
    if sup.stop == "timeout":
        how = "CPU time" if sup.limit == "cpu" else "wall-clock time (it slept or blocked)"
        message = f"did not finish within {timeout:g} s of {how} (an infinite loop, or far too slow)"
    else:
        message = crash_message(sup.code)
    checks = [CheckResult.from_dict(e) for e in _Events(results).new() if e["type"] == "check"
              and e["file"] == sup.current]
    if sup.stop == "timeout":
        return Verdict(file=sup.current, status="timeout", checks=checks + [CheckResult("run", False, message)],
                       output=output)
    return crashed_verdict(sup.current, checks, message, output)


def crashed_verdict(file: str, checks: list[CheckResult], message: str, output: str) -> Verdict:
    """The verdict of a file whose candidate's process died: `crashed`, or `memory` where its last output
    shows it ran into the sandbox's memory limit (grader.jail.exhausted names the limit it hit)."""
    status: Status = "crashed"
    if hit := exhausted(output):
        message, status = f"{message}: it {hit[1]}", "memory" if hit[0] == "memory" else status
    return Verdict(file=file, status=status, checks=checks + [CheckResult("run", False, message)], output=output)


class Worker:
    """The grading process that runs a caller's jobs. Kept (`keep`, grade-batch's groups), it stays from one job
    to the next, so torch, the fork server and its sandbox start once; it is replaced when a job needs another
    environment (a question's cpu_env) and after a job it did not finish (a crash, a limit). Not kept
    (attnbank grade), each job gets a process that ends with it. `close` ends it and removes its folder."""

    def __init__(self, keep: bool = False):
        self.keep, self.jobs, self.started = keep, 0, 0
        self.folder = Path(tempfile.mkdtemp(prefix="attnbank-"))
        self.proc: subprocess.Popen | None = None
        # while a process runs: its own folder (it removes it when it ends: grader.worker), key and log
        self.here, self.key, self.log = self.folder, "", self.folder / "output.log"
        self.last: Job | None = None

    def run(self, question_file: Path, solutions: Path, files: list[str], settings: Settings, timeout: float,
            on_event: OnEvent | None, env: dict[str, str] | None) -> tuple[Supervision, Job]:
        """Grade `files` (one attempt): what happened, and the job it was given."""
        key = json.dumps([env or {}, settings.trusted, settings.tf32], sort_keys=True)
        if self.proc is not None and (key != self.key or self.proc.poll() is not None):
            self.stop()
        if self.last is not None:  # its verdicts were taken: a kept worker's folder holds one job at a time
            for done in (self.last.path, self.last.results):
                done.unlink(missing_ok=True)

        def job_in(folder: Path, log: Path | None) -> Job:
            self.jobs += 1
            return write_job(folder, self.jobs, question_file, solutions, files, settings, env, log)

        job = self.last = job_in(self.here, self.log) if self.proc is not None else None
        if job is None or not self._hand(job):
            self.started += 1
            self.here = self.folder / f"worker-{self.started}"
            self.here.mkdir()
            job = self.last = job_in(self.here, None)
            command = [sys.executable, "-m", "grader.worker", str(job.path), *(["--more"] if self.keep else [])]
            self.proc, self.key, self.log = spawn(command, job, child_env(env), self.keep), key, job.log
        sup = supervise(self.proc, job.results, timeout, on_event, files)
        if not self.keep or sup.stop is not None or sup.code is not None:
            self.stop()  # not kept: killed once its last verdict is in (its own clean-up is Worker.close's)
        return sup, job

    def _hand(self, job: Job) -> bool:
        """Give a kept process the next job; False if there is none (or it has just died)."""
        if self.proc is None or self.proc.stdin is None:
            return False
        try:
            self.proc.stdin.write(f"{job.path}\n".encode())
            self.proc.stdin.flush()
            return True
        except OSError:
            self.stop()
            return False

    def stop(self) -> None:
        """End the process: asked to (its stdin closed) if it waits for a job, else killed with all it started."""
        if self.proc is None:
            return
        if self.proc.poll() is None and self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
        if self.proc.poll() is None:
            kill(self.proc)
        self.proc = None

    def close(self) -> None:
        self.stop()
        remove(self.folder)

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_worker(question_file: Path, solutions: Path, files: list[Path], settings: Settings, timeout: float,
               on_event: OnEvent | None = None, env: dict[str, str] | None = None,
               worker: Worker | None = None) -> list[Verdict]:
    """Grade `files` in `worker` (a process of their own if None), with `env` added, a fresh process after any
    crash; return one verdict per file, in order."""
    verdicts: dict[str, Verdict] = {}
    remaining = [str(f) for f in files]
    with contextlib.ExitStack() as stack:
        worker = worker or stack.enter_context(Worker())
        while remaining:
            sup, job = worker.run(question_file, solutions, remaining, settings, timeout, on_event, env)
            verdicts.update(sup.verdicts)
            output = tail(job.log)
            if sup.stop in ("setup", "setup-timeout"):
                how = f"exit {sup.code}" if sup.stop == "setup" else f"still preparing after {SETUP_TIMEOUT:g} s"
                raise AttnbankError(f"the grader could not prepare this question ({how}):\n{output}")
            if sup.stop is not None and sup.current is not None:
                verdicts[sup.current] = stopped_verdict(sup, job.results, timeout, output)
            still = [f for f in remaining if f not in verdicts]
            if len(still) == len(remaining):  # no progress at all: never loop on a worker that cannot start
                raise AttnbankError(f"the grading process stopped before grading anything:\n{output}")
            remaining = still
    return [verdicts[str(f)] for f in files]


def tail(path: Path, limit: int = 2000) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - limit))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return ("…" if size > limit else "") + text


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"
