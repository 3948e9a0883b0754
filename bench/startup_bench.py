"""Start-up cost of the CLI on CPU, measured in one run as ratios to a bare `python -c "import torch"`.

Targets (issue 11): `attnbank grade sdpa <a passing file>` at most 1.25x `import torch` in wall time;
`attnbank --help` and `attnbank list` under 0.15 s. The commands run interleaved, --repeat times each, and
medians of wall and CPU time (user + system of the child, which a busy machine distorts less) are
reported, with the load average before and after. Everything runs from a temporary folder with its own
cache, data and progress database (warmed by one untimed run), the way a user's second command runs.

    python bench/startup_bench.py [--repeat N] [--out bench/results/startup-cpu.md]
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
GRADE_TARGET, FAST_TARGET = 1.25, 0.15


def measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the child, exit code) for one run of `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          stdin=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=Path, help="Also write the table as Markdown to this file.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="attnbank-bench-"))
    shutil.copy(ROOT / "solutions/sdpa/reference.py", work / "sdpa.py")
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache"), "XDG_DATA_HOME": str(work / "data"),
           "ATTNBANK_DB": str(work / "progress.db"), "PYTHONPATH": str(ROOT)}
    env.pop("ATTNBANK_ROOT", None)
    cli = [sys.executable, "-m", "grader"]
    commands = {
        'python -c "import torch"': [sys.executable, "-c", "import torch"],
        "attnbank --help": [*cli, "--help"],
        "attnbank list": [*cli, "list"],
        "attnbank grade sdpa sdpa.py": [*cli, "grade", "sdpa", "sdpa.py"],
    }
    for name, cmd in commands.items():  # warm the index cache and create the database, untimed
        if measure(cmd, work, env)[2] != 0:
            raise SystemExit(f"{name} failed in {work}")
    load = os.getloadavg()
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(args.repeat):  # interleaved, so a burst of load hits every command alike
        for name, cmd in commands.items():
            runs[name].append(measure(cmd, work, env)[:2])
    load_after = os.getloadavg()
    shutil.rmtree(work)
    med = {n: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r)) for n, r in runs.items()}
    base_wall, base_cpu = med['python -c "import torch"']
    lines = ["| command | wall s (median) | CPU s (median) | wall / import torch | CPU / import torch |",
             "| --- | --- | --- | --- | --- |"]
    lines += [f"| `{n}` | {w:.3f} | {c:.3f} | {w / base_wall:.2f} | {c / base_cpu:.2f} |" for n, (w, c) in med.items()]
    grade_wall = med["attnbank grade sdpa sdpa.py"][0] / base_wall
    grade_cpu = med["attnbank grade sdpa sdpa.py"][1] / base_cpu
    fast = max(med["attnbank --help"][0], med["attnbank list"][0])
    verdict = [f"- grade / import torch: **{grade_wall:.2f}x** wall, {grade_cpu:.2f}x CPU (target <= {GRADE_TARGET}x "
               f"wall: {'met' if grade_wall <= GRADE_TARGET else 'NOT met'})",
               f"- slowest of --help and list: **{fast:.3f} s** (target < {FAST_TARGET} s: "
               f"{'met' if fast < FAST_TARGET else 'NOT met'})"]
    header = [f"{args.repeat} interleaved runs per command; Python {platform.python_version()}, "
              f"{os.cpu_count()} CPU(s), load average {load[0]:.2f} before and {load_after[0]:.2f} after."]
    text = "\n".join([*header, "", *lines, "", *verdict]) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
