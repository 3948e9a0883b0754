"""Start-up cost of the CLI, measured in one run as ratios to a bare `import torch`.

Targets: `attnbank list` under 0.3 s; `attnbank grade sdpa <reference>` under 1.5x `python -c "import torch"`.
Both wall-clock and CPU time (user + system of the child processes, which a busy machine distorts less)
are reported, as medians over --repeat runs. Run: python bench/grade_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the children) for one run of `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    commands = {
        "import torch": [sys.executable, "-c", "import torch"],
        "attnbank list": [sys.executable, "-m", "grader", "list"],
        "attnbank grade sdpa": [sys.executable, "-m", "grader", "grade", "sdpa", "solutions/sdpa/reference.py"],
    }
    results: dict[str, tuple[float, float]] = {}
    for _ in range(args.repeat):  # interleaved, so a burst of load hits every command alike
        for name, cmd in commands.items():
            results.setdefault(name, ([], []))
            wall, cpu = measure(cmd)
            results[name][0].append(wall)
            results[name][1].append(cpu)
    med = {name: (statistics.median(w), statistics.median(c)) for name, (w, c) in results.items()}
    base_wall, base_cpu = med["import torch"]
    print(f"{'command':<22} {'wall s':>8} {'cpu s':>8} {'wall/torch':>11} {'cpu/torch':>10}")
    for name, (wall, cpu) in med.items():
        print(f"{name:<22} {wall:8.3f} {cpu:8.3f} {wall / base_wall:11.2f} {cpu / base_cpu:10.2f}")
    print(f"targets: list < 0.3 s (got {med['attnbank list'][0]:.3f} s wall); "
          f"grade < 1.5x import torch (got {med['attnbank grade sdpa'][0] / base_wall:.2f}x wall, "
          f"{med['attnbank grade sdpa'][1] / base_cpu:.2f}x cpu)")


if __name__ == "__main__":
    main()
