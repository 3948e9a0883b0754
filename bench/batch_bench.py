"""Throughput of `attnbank grade-batch` against a loop of `attnbank grade`, in one run (ratios, not timings).

Builds N synthetic submissions over 5 questions (each a reference, alternative or known-mistake file of the
bank with a unique trailing comment, so none is deduplicated), then times, on the same machine and run:
  - a loop of `attnbank grade` over a sample of them (per-file cost, extrapolated to all N),
  - `grade-batch -j 1`, `grade-batch -j 2`, and `grade-batch --ray -j 2` (a local Ray runtime) over all N.

    python bench/batch_bench.py [--n 200] [--loop-sample 40] [--out bench/results/batch.md]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.bank import load_bank  # noqa: E402
from grader.loader import mistake_source  # noqa: E402

QUESTIONS = ("sdpa", "causal-attention", "multi-head-attention", "rope", "se-block")


def build(folder: Path, n: int) -> list[tuple[str, Path]]:
    bank = load_bank()
    sources: dict[str, list[str]] = {}
    for qid in QUESTIONS:
        q, sol = bank.get(qid), bank.solution_dir(qid)
        sources[qid] = ([(sol / "reference.py").read_text()] + [(sol / a).read_text() for a in q.coding.alternatives]
                        + [mistake_source(q, m, sol) for m in q.coding.mistakes])
    files = []
    for i in range(n):
        qid = QUESTIONS[i % len(QUESTIONS)]
        student = folder / f"student{i // len(QUESTIONS):03d}"
        student.mkdir(parents=True, exist_ok=True)
        path = student / f"{qid}.py"
        pool = sources[qid]
        path.write_text(pool[(i // len(QUESTIONS)) % len(pool)] + f"\n# submission {i}\n")
        files.append((qid, path))
    return files


def timed(cmd: list[str]) -> float:
    """Wall seconds of `cmd`; exit 1 (a file that fails its grade) is a result, anything else an error."""
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr[-500:]}")
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--loop-sample", type=int, default=40)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "batch.md")
    args = ap.parse_args()
    attnbank = [sys.executable, "-m", "grader"]
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "subs"
        files = build(folder, args.n)
        sample = files[:args.loop_sample]
        loop = sum(timed(attnbank + ["grade", qid, str(p), "--no-record"]) for qid, p in sample) / len(sample)
        rows = [("loop of `attnbank grade` (per file × N)", loop * args.n)]
        for label, extra in (("grade-batch -j 1", ["-j", "1"]), ("grade-batch -j 2", ["-j", "2"]),
                             ("grade-batch --ray -j 2", ["--ray", "-j", "2"])):
            rows.append((label, timed(attnbank + ["grade-batch", str(folder), "--out", str(Path(tmp) / label[-6:]),
                                                  *extra])))
    base, j1, j2 = rows[0][1], rows[1][1], rows[2][1]
    title = f"{args.n} submissions over {len(QUESTIONS)} questions, CPU, {os.cpu_count()} cores"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    lines = [f"# grade-batch throughput ({title})",
             "", f"Command: `python bench/batch_bench.py --n {args.n} --loop-sample {args.loop_sample}` at {commit}; "
             f"load average before {load[0]:.2f}, after {os.getloadavg()[0]:.2f} (1 min).", "",
             "| how | seconds | files per second | vs the loop |", "| --- | --- | --- | --- |"]
    lines += [f"| {label} | {sec:.1f} | {args.n / sec:.2f} | {base / sec:.2f}× |" for label, sec in rows]
    lines += ["", f"- grade-batch -j 1 against the loop: **{base / j1:.2f}×** (target ≥ 3×)",
              f"- grade-batch -j 2 against -j 1: **{j1 / j2:.2f}×** (target ≥ 1.8×)",
              f"- Ray (local, -j 2) against the local pool -j 2: **{j2 / rows[3][1]:.2f}×** of its throughput "
              "(target ≥ 0.8×)",
              f"- The loop was timed on {len(sample)} of the files and scaled to {args.n}.",
              f"- grades per core-hour (grade-batch -j 2): {3600 * args.n / j2 / 2:.0f}"]
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
