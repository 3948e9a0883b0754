"""Where one grade's time goes (issue 16): process start, plan building (materialise, oracle, baseline), each
check with its GPU synchronisations, the contract passes, the diagnosis; against the cost of starting torch.

Three parts, each printed as a Markdown table:
1. `start`: median wall of `python -c "import torch; torch.ones(1, device=DEVICE)"` and of the CLI
   `python -m grader grade ID FILE --device DEVICE [--dtype DTYPE]` (the whole grade, as a candidate runs it).
2. `events`: one grade through grader.grade.grade_files (a worker and a candidate process, as the CLI), each
   event stamped when it arrives: worker start + plan (until `ready`), candidate process ready (`start`),
   each check, the verdict.
3. `inside`: the same file graded in this process (grader.grading.serve on a trusted job), every phase timed
   and every synchronising CUDA call counted (torch.cuda.set_sync_debug_mode).

Usage: python bench/grade_profile.py [--device cuda] [--dtype bfloat16] [--repeat 3] ID [FILE]
(FILE defaults to the question's reference).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def wall(cmd: list[str], repeat: int) -> tuple[float, str]:
    """(median wall seconds, each run's seconds in order and the last run's exit status)."""
    times, code = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        code = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False).returncode
        times.append(time.perf_counter() - start)
    return statistics.median(times), ", ".join(f"{t:.2f}" for t in times) + f" (exit {code})"


def start_table(qid: str, file: Path, device: str, dtype: str | None, repeat: int) -> list[str]:
    torch_cmd = [sys.executable, "-c", f"import torch; torch.ones(1, device='{device}')"]
    grade_cmd = [sys.executable, "-m", "grader", "grade", qid, str(file), "--device", device]
    grade_cmd += ["--dtype", dtype] if dtype else []
    base, base_runs = wall(torch_cmd, repeat)
    whole, runs = wall(grade_cmd, repeat)
    return ["| command | median wall s | ratio to torch start | runs, s |", "|---|---|---|---|",
            f"| `{' '.join(torch_cmd[1:])}` | {base:.2f} | 1.00x | {base_runs} |",
            f"| `attnbank {' '.join(grade_cmd[3:])}` | {whole:.2f} | {whole / base:.2f}x | {runs} |"]


def events_table(qid: str, file: Path, device: str, dtype: str) -> list[str]:
    from grader import grade
    from grader.grade import coding_entry, grade_files
    from grader.index import load_index
    from grader.outcome import Settings

    stamps: list[tuple[float, str]] = []
    checked = grade.check_settings

    def check_settings(*args: Any) -> None:
        checked(*args)
        stamps.append((time.perf_counter(), "parent: settings checked (CUDA available?)"))
    grade.check_settings = check_settings

    def on_event(event: dict[str, Any]) -> None:
        name = event["type"] + (f" {event['name']}" if event["type"] == "check" else "")
        stamps.append((time.perf_counter(), name))

    entry = coding_entry(load_index(ROOT), qid)
    t0 = time.perf_counter()
    (verdict,) = grade_files(ROOT, entry, [file], Settings(device, dtype), on_event)
    end = time.perf_counter()
    rows = ["| until event | s since previous | s since start |", "|---|---|---|"]
    last = t0
    for t, name in stamps + [(end, "grade_files returned")]:
        rows.append(f"| {name} | {t - last:.3f} | {t - t0:.3f} |")
        last = t
    return rows + ["", f"status: {verdict.status}"]


class Timer:
    """Wall seconds and synchronising CUDA calls per phase name (phases may nest: each counts its own total)."""

    def __init__(self, cuda: bool):
        self.cuda = cuda
        self.seconds: dict[str, float] = defaultdict(float)
        self.syncs: dict[str, int] = defaultdict(int)
        self.calls: dict[str, int] = defaultdict(int)
        self.depth = 0

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        import torch

        def timed(*args: Any, **kwargs: Any) -> Any:
            self.depth += 1
            start = time.perf_counter()
            try:
                with warnings.catch_warnings(record=True) as seen:
                    warnings.simplefilter("always")
                    return fn(*args, **kwargs)
            finally:
                if self.cuda:
                    torch.cuda.synchronize()
                self.depth -= 1
                self.seconds[name] += time.perf_counter() - start
                self.calls[name] += 1
                self.syncs[name] += sum("synchroniz" in str(w.message) for w in seen)
                for w in seen if self.depth else []:  # outer phases count what inner ones saw
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return timed


def inside_table(qid: str, file: Path, device: str, dtype: str) -> list[str]:
    t0 = time.perf_counter()
    import torch
    t_torch = time.perf_counter() - t0
    t1 = time.perf_counter()
    if device == "cuda":
        torch.ones(1, device="cuda")
    t_cuda = time.perf_counter() - t1
    t2 = time.perf_counter()
    from grader import contract, grading, plan, verdict
    from grader.checks import registry
    from grader.grade import coding_entry
    from grader.index import load_index
    t_import = time.perf_counter() - t2

    timer = Timer(device == "cuda")
    plan.load_question = timer.wrap("load question (YAML, pydantic)", plan.load_question)
    grading.load_question = plan.load_question
    plan.materialise = timer.wrap("plan: materialise cases", plan.materialise)
    orig_expected = plan.expected_outputs

    def expected(ref, prep, dt, dev):
        golden_run = ref.run
        ref.run = timer.wrap("plan: oracle + baseline runs", golden_run)
        try:
            orig_expected(ref, prep, dt, dev)
        finally:
            ref.run = golden_run
    plan.expected_outputs = timer.wrap("plan: expected outputs (runs + tolerances)", expected)
    plan.build_plan = timer.wrap("build_plan (all)", plan.build_plan)
    grading.build_plan = contract.build_plan = plan.build_plan
    for name, fn in list(registry.CHECKS.items()):
        registry.CHECKS[name] = timer.wrap(f"check {name}", fn)
    verdict.load_candidate = timer.wrap("load candidate (import, spy)", verdict.load_candidate)
    grading.load_candidate = verdict.load_candidate
    contract.check_dtype = timer.wrap("contract pass (per dtype)", contract.check_dtype)
    verdict.diagnosis = timer.wrap("diagnosis (known mistakes)", verdict.diagnosis)
    grading.grade = timer.wrap("grade (checks, contract, diagnosis)", grading.grade)

    entry = coding_entry(load_index(ROOT), qid)
    job = {"question_file": str(ROOT / entry["file"]), "solutions": str(ROOT / "solutions" / qid),
           "files": [str(file)], "dtype": dtype, "device": device, "seed": 0, "tf32": False,
           "contract": True, "trusted": True}
    events: list[dict[str, Any]] = []
    if device == "cuda":
        torch.cuda.set_sync_debug_mode("warn")
    t3 = time.perf_counter()
    grading.serve(job, events.append, None, Path("/tmp"))
    t_serve = time.perf_counter() - t3
    if device == "cuda":
        torch.cuda.set_sync_debug_mode(0)
    status = next(e["status"] for e in events if e["type"] == "verdict")
    rows = ["| phase | calls | wall s | CUDA syncs |", "|---|---|---|---|",
            f"| import torch | 1 | {t_torch:.3f} | |", f"| first CUDA tensor | 1 | {t_cuda:.3f} | |",
            f"| import grader modules | 1 | {t_import:.3f} | |"]
    for name in timer.seconds:
        rows.append(f"| {name} | {timer.calls[name]} | {timer.seconds[name]:.3f} | {timer.syncs[name]} |")
    rows.append(f"| serve (whole job, in process) | 1 | {t_serve:.3f} | |")
    return rows + ["", f"status: {status}; the file's code ran in this process (a trusted job)"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("id")
    parser.add_argument("file", nargs="?", type=Path)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--dtype", default=None, help="the grading dtype (default: the CLI's, float32)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--parts", default="start,events,inside")
    args = parser.parse_args()
    file = (args.file or ROOT / "solutions" / args.id / "reference.py").resolve()
    dtype = args.dtype or "float32"
    os.environ.setdefault("ATTNBANK_ROOT", str(ROOT))
    print(f"## {args.id} on {args.device}, {dtype}: {file.relative_to(ROOT) if file.is_relative_to(ROOT) else file}")
    parts = args.parts.split(",")
    for part, make in (("start", lambda: start_table(args.id, file, args.device, args.dtype, args.repeat)),
                       ("events", lambda: events_table(args.id, file, args.device, dtype)),
                       ("inside", lambda: inside_table(args.id, file, args.device, dtype))):
        if part in parts:
            print(f"\n### {part}\n\n" + "\n".join(make()), flush=True)


if __name__ == "__main__":
    main()
