"""GPU report: for each coding question, grade wall time of the reference on CUDA, and for the questions
with a speed check, the reference's time, throughput and peak memory next to PyTorch's kernel.

Run on the GPU machine: python bench/gpu_report.py [--dtype bfloat16] [ID ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.bank import load_bank  # noqa: E402
from grader.grade import grade_files  # noqa: E402
from grader.index import summarise  # noqa: E402
from grader.outcome import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", default="bfloat16", help="dtype of the speed runs (float32 where not allowed)")
    parser.add_argument("ids", nargs="*")
    args = parser.parse_args()
    bank = load_bank()
    print("| question | dtype | grade wall s | status | speed (reference vs PyTorch) |")
    print("|---|---|---|---|---|")
    for q in bank.questions:
        if q.kind != "coding" or (args.ids and q.id not in args.ids):
            continue
        dtype = args.dtype if args.dtype in q.coding.dtypes else "float32"
        start = time.perf_counter()
        (verdict,) = grade_files(bank.root, summarise(bank, q), [bank.solution_dir(q.id) / "reference.py"],
                                 Settings("cuda", dtype))
        wall = time.perf_counter() - start
        speed = next((c.message for c in verdict.checks if c.name == "speed"), "")
        print(f"| {q.id} | {dtype} | {wall:.2f} | {verdict.status} | {speed} |", flush=True)


if __name__ == "__main__":
    main()
