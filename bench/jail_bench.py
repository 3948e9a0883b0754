"""The candidate's sandbox (grader.jail): its startup overhead, and torch on CPU and CUDA inside it.

    python bench/jail_bench.py [-n RUNS]

Prints the minimum and median wall time of the same command run plainly and through `jail.wrap`, then, where
CUDA is there, whether torch starts CUDA inside the sandbox under its RLIMIT_DATA and the memory it maps,
and whether it would under an RLIMIT_AS of 64 GiB instead (why the sandbox limits data, not address space).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader import jail

CUDA = """
import torch
x = torch.ones(1024, 1024, device="cuda")
total = (x @ x).sum().item()
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(f"cuda ok: {total:.0f}; VmData {status['VmData'].strip()}, VmSize {status['VmSize'].strip()}")
"""


def timed(plain: list[str], jailed: list[str], runs: int) -> list[tuple[float, float]]:
    """(min, median) wall time of each command, run alternately so that the machine's load hits both alike."""
    times: list[list[float]] = [[], []]
    for _ in range(runs):
        for i, argv in enumerate((plain, jailed)):
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            times[i].append(time.perf_counter() - start)
    return [(min(t), statistics.median(t)) for t in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=10)
    runs = parser.parse_args().runs
    print(f"jail available: {jail.available()}; limits: {jail.LIMITS}")
    with tempfile.TemporaryDirectory(prefix="attnbank-jail-bench-") as tmp:
        for label, code in [("python -c pass", "pass"), ("python -c 'import torch'", "import torch")]:
            argv = [sys.executable, "-c", code]
            plain, jailed = timed(argv, jail.wrap(argv, Path(tmp)), runs)
            print(f"{label}: plain {plain[0] * 1e3:.0f} ms (median {plain[1] * 1e3:.0f}), jailed {jailed[0] * 1e3:.0f} "
                  f"ms (median {jailed[1] * 1e3:.0f}): overhead {1e3 * (jailed[0] - plain[0]):.0f} ms")
        probe = subprocess.run([sys.executable, "-c", "import torch; print(torch.cuda.is_available())"],
                               capture_output=True, text=True)
        if probe.stdout.strip() != "True":
            print("no CUDA here: the CUDA probes are skipped")
            return
        as_limit = ["prlimit", f"--as={64 << 30}", "--"]
        for label, prefix in [("RLIMIT_DATA (the sandbox's)", []), ("RLIMIT_AS 64 GiB", as_limit)]:
            done = subprocess.run(jail.wrap([*prefix, sys.executable, "-c", CUDA], Path(tmp)), capture_output=True,
                                  text=True)
            print(f"{label}: exit {done.returncode}: {(done.stdout or done.stderr).strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()
