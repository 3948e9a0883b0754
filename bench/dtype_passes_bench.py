"""What the dtype-contract passes of a plain `grade` cost: a passing reference graded plainly (float32, then the
float64 and bfloat16 passes) against the same grade with `--dtype float32` (no passes), and optionally against
another checkout's plain grade (`--before`, e.g. main before this change, which also lacks the precision check).

Each command is `attnbank grade ID <reference> --no-record`, run interleaved --repeat times from a temporary
folder with its own cache; medians of wall and CPU time (user + system of the child, steadier on a busy
machine) are reported. A second table times the grading alone, in this process (no start-up, no torch import,
the float32 plan prepared beforehand): the float32 checks, then the contract passes with their plans built
fresh each time, as a worker's first file pays for them. Target (issue 12): the passes add at most 20 % to the
grade's time.

    python bench/dtype_passes_bench.py [--questions ID ...] [--repeat N] [--before PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ("sdpa", "multi-head-attention", "rope", "self-attention-module")
TARGET = 1.20


def measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) for one run of `cmd`, which must exit 0 (the grade passes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          stdin=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {code}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def in_process(qids: list[str], repeat: int) -> list[str]:
    """Markdown rows: median CPU seconds of grading the reference in float32, and of the contract passes."""
    import torch

    from grader.contract import Contract, contract_dtypes
    from grader.grading import grade
    from grader.plan import build_plan, load_question

    torch.set_num_threads(1)  # as the worker does
    rows = ["| question | float32 checks, CPU s | contract passes, CPU s | passes / float32 | dtypes |",
            "| --- | --- | --- | --- | --- |"]
    for qid in qids:
        (path,) = (ROOT / "questions").glob(f"*/{qid}.yaml")
        q, sol = load_question(path), ROOT / "solutions" / qid
        ref = sol / "reference.py"
        plan = build_plan(q, sol, "float32", "cpu", 0)
        passes = contract_dtypes(q, "float32")
        base, extra = [], []
        for _ in range(repeat):
            t0 = time.process_time()
            grade(plan, Contract(q, sol, [], "cpu", 0), ref, lambda e: None)
            t1 = time.process_time()
            verdict = grade(plan, Contract(q, sol, passes, "cpu", 0), ref, lambda e: None)
            t2 = time.process_time()
            base.append(t1 - t0)
            extra.append((t2 - t1) - (t1 - t0))
            if not verdict.passed:
                raise SystemExit(f"{qid}: the reference does not pass")
        b, e = statistics.median(base), statistics.median(extra)
        rows.append(f"| {qid} | {b:.3f} | {e:.3f} | {e / b:.2f} | {', '.join(verdict.dtypes)} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", nargs="+", default=list(QUESTIONS))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", type=Path, help="Another checkout whose plain grade is the 'before' column.")
    parser.add_argument("--out", type=Path, help="Also write the table as Markdown to this file.")
    parser.add_argument("--in-process-only", action="store_true", help="Only the second table (fast).")
    args = parser.parse_args()
    if args.in_process_only:
        print("\n".join(in_process(args.questions, args.repeat)))
        return
    work = Path(tempfile.mkdtemp(prefix="attnbank-bench-"))
    base = {**os.environ, "XDG_CACHE_HOME": str(work / "cache"), "XDG_DATA_HOME": str(work / "data"),
            "ATTNBANK_DB": str(work / "progress.db")}
    base.pop("ATTNBANK_ROOT", None)
    trees = {"after": ROOT, **({"before": args.before.resolve()} if args.before else {})}
    envs = {name: {**base, "PYTHONPATH": str(tree)} for name, tree in trees.items()}
    commands: dict[tuple[str, str], tuple[list[str], dict[str, str]]] = {}
    for qid in args.questions:
        ref = str(ROOT / "solutions" / qid / "reference.py")
        grade = [sys.executable, "-m", "grader", "grade", qid, ref, "--no-record"]
        commands[(qid, "--dtype float32")] = ([*grade, "--dtype", "float32"], envs["after"])
        commands[(qid, "plain")] = (grade, envs["after"])
        if args.before:
            commands[(qid, "before (plain)")] = (grade, envs["before"])
    for cmd, env in commands.values():  # warm the index caches, untimed
        measure(cmd, work, env)
    load = os.getloadavg()
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {key: [] for key in commands}
    for _ in range(args.repeat):  # interleaved, so a burst of load hits every command alike
        for key, (cmd, env) in commands.items():
            runs[key].append(measure(cmd, work, env))
    load_after = os.getloadavg()
    shutil.rmtree(work)
    med = {k: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r)) for k, r in runs.items()}
    lines = ["| question | command | wall s (median) | CPU s (median) | wall / --dtype float32 "
             "| CPU / --dtype float32 |", "| --- | --- | --- | --- | --- | --- |"]
    worst = 0.0
    for (qid, mode), (w, c) in med.items():
        w0, c0 = med[(qid, "--dtype float32")]
        lines.append(f"| {qid} | {mode} | {w:.2f} | {c:.2f} | {w / w0:.2f} | {c / c0:.2f} |")
        if mode == "plain":
            worst = max(worst, c / c0)
    verdict = (f"- worst CPU-time ratio of a plain grade to `--dtype float32`: **{worst:.2f}x** "
               f"(target <= {TARGET}x: {'met' if worst <= TARGET else 'NOT met'})")
    header = (f"{args.repeat} interleaved runs per command; Python {platform.python_version()}; load average "
              f"{load[0]:.2f} before, {load_after[0]:.2f} after.")
    rows = in_process(args.questions, args.repeat)
    text = "\n".join([header, "", *lines, "", verdict, "", "Grading alone, in process:", "", *rows]) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
