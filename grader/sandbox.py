"""Run the grading worker in a child process with per-file timeouts; never import candidate code here.

The child streams JSON lines to a results file; a timeout, a crash or an early exit becomes an
ordinary verdict, and the files not yet graded are retried in a fresh child.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import AttnbankError

SETUP_TIMEOUT = 600.0  # importing torch and preparing the oracle (compiling kernels), before any candidate runs


@dataclass(frozen=True)
class Settings:
    """How to grade: device, dtype, seed, and the per-file timeout in CPU seconds (None = the question's)."""

    device: str = "cpu"
    dtype: str = "float32"
    seed: int = 0
    timeout: float | None = None
    tf32: bool = False  # allow TF32 matmuls for float32 on CUDA


def _tail(path: Path, limit: int = 2000) -> str:
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


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) used so far by process `pid`, where /proc tells; else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def run_worker(question_file: Path, solutions: Path, files: list[Path], settings: Settings,
               timeout: float, on_event=None, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Grade `files` in child processes (with `env` added); return one verdict dict per file, in order."""
    verdicts: dict[str, dict[str, Any]] = {}
    remaining = [str(f) for f in files]
    with tempfile.TemporaryDirectory(prefix="attnbank-") as tmp:
        attempt = 0
        while remaining:
            attempt += 1
            results = Path(tmp) / f"results-{attempt}.jsonl"
            log = Path(tmp) / f"output-{attempt}.log"
            job = {"question_file": str(question_file), "solutions": str(solutions), "files": remaining,
                   "dtype": settings.dtype, "device": settings.device, "seed": settings.seed, "tf32": settings.tf32,
                   "results": str(results)}
            job_path = Path(tmp) / f"job-{attempt}.json"
            job_path.write_text(json.dumps(job), encoding="utf-8")
            results.touch()
            child_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
            child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent.parent),
                                                                    child_env.get("PYTHONPATH")]))
            with log.open("wb") as log_fh:
                proc = subprocess.Popen([sys.executable, "-m", "grader.worker", str(job_path)], cwd=tmp,
                                        stdin=subprocess.DEVNULL, stdout=log_fh, stderr=subprocess.STDOUT,
                                        start_new_session=True, env=child_env)
                current, started, ready = None, time.monotonic(), False
                cpu_start = 0.0
                offset = 0
                outcome = None
                while True:
                    code = proc.poll()
                    with results.open(encoding="utf-8") as fh:
                        fh.seek(offset)
                        chunk = fh.read()
                    complete = chunk[: chunk.rfind("\n") + 1]
                    offset += len(complete.encode("utf-8"))
                    for line in complete.splitlines():
                        event = json.loads(line)
                        if on_event:
                            on_event(event)
                        if event["type"] == "ready":
                            ready = True
                        elif event["type"] == "start":
                            current, started = event["file"], time.monotonic()
                            cpu_start = _cpu_seconds(proc.pid) or 0.0
                        elif event["type"] == "verdict":
                            verdicts[event["file"]] = {k: v for k, v in event.items() if k != "type"}
                            current = None
                    if code is not None:
                        if current is None and len(verdicts) < len(files) and not ready and code != 0:
                            outcome = ("setup", code)
                        elif current is not None:
                            outcome = ("crashed", code)
                        break
                    # the limit is CPU time where it can be read (fair on a loaded machine), with a
                    # wall-clock cap of three times the limit for candidates that sleep or block
                    limit = timeout if ready else SETUP_TIMEOUT
                    cpu = _cpu_seconds(proc.pid)
                    wall = time.monotonic() - started
                    used = wall if cpu is None or not ready else cpu - cpu_start
                    if used > limit or wall > 3 * limit:
                        _kill(proc)
                        outcome = ("timeout" if ready else "setup-timeout", None)
                        break
                    time.sleep(0.02)
            output = _tail(log)
            if outcome and outcome[0] in ("setup", "setup-timeout"):
                raise AttnbankError(f"the grader could not prepare this question (exit {outcome[1]}):\n{output}")
            if outcome and current is not None:
                status, code = outcome
                if status == "timeout":
                    message = f"did not finish within {timeout:g} s (an infinite loop, or far too slow)"
                elif code is not None and code < 0:
                    message = f"the process was killed by {_signal_name(code)} (a segfault or abort in native code?)"
                else:
                    message = f"the process exited with code {code} before grading finished (os._exit or exit()?)"
                partial = _partial_checks(results, current)
                verdicts[current] = {"question": None, "file": current, "passed": False,
                                     "status": "timeout" if status == "timeout" else "crashed",
                                     "checks": partial + [{"name": "run", "passed": False, "message": message,
                                                          "details": {}}],
                                     "diagnosis": None, "diagnosis_text": None, "error": None,
                                     "output": output}
            still = [f for f in remaining if f not in verdicts]
            if len(still) == len(remaining):  # no progress at all: never loop on a worker that cannot start
                raise AttnbankError(f"the grading process stopped before grading anything:\n{output}")
            remaining = still
    return [verdicts[str(f)] for f in files]


def _partial_checks(results: Path, file: str) -> list[dict[str, Any]]:
    checks = []
    for line in results.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        if event["type"] == "check" and event["file"] == file:
            checks.append({k: event[k] for k in ("name", "passed", "message", "details")})
    return checks
