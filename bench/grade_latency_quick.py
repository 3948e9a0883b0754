"""Quick latency check: alternate `import torch`, `attnbank grade sdpa` of the reference at a base checkout and in
this tree; print median wall and CPU (user + system, children included) and their ratio to the torch import.

Usage: python bench/grade_latency_quick.py [ROUNDS] [BASE_CHECKOUT]   (defaults: 5, /work/main)
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(rounds: int, base_root: str) -> None:
    env0 = {**os.environ, "XDG_CACHE_HOME": "/tmp/attnbank-latency-cache",
            "ATTNBANK_DB": "/tmp/attnbank-latency/none.db"}
    commands = {"torch": (env0, [sys.executable, "-c", "import torch"])}
    for name, root in (("before", base_root), ("after", str(HERE))):
        env = {**env0, "PYTHONPATH": root, "ATTNBANK_ROOT": root}
        commands[name] = (env, [sys.executable, "-m", "grader", "grade", "sdpa", f"{root}/solutions/sdpa/reference.py"])
    for env, cmd in commands.values():
        run(cmd, env)  # warm the index cache and the page cache
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for _ in range(rounds):
        for name, (env, cmd) in commands.items():
            results[name].append(run(cmd, env))
    torch_wall = statistics.median(w for w, _ in results["torch"])
    torch_cpu = statistics.median(c for _, c in results["torch"])
    for name, xs in results.items():
        wall = statistics.median(w for w, _ in xs)
        cpu = statistics.median(c for _, c in xs)
        print(f"{name:7s} wall {wall:.2f} s ({wall / torch_wall:.2f}x)  cpu {cpu:.2f} s ({cpu / torch_cpu:.2f}x)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5, sys.argv[2] if len(sys.argv) > 2 else "/work/main")
