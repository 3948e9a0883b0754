"""Tolerance calibration: per question, dtype and case, the same-dtype baseline error, the tolerance the
grader derives from it, how close the reference comes to it, and how far the nearest known mistake lands.

A healthy question has reference/tolerance well below 1 on every seed and nearest-mistake/tolerance far
above 1. Run on the GPU machine: python bench/gpu_calibration.py --device cuda --jobs 12 --out results.json
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import platform
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.bank import load_bank  # noqa: E402
from grader.invoke import Impl  # noqa: E402
from grader.loader import load_file  # noqa: E402
from grader.plan import build_plan  # noqa: E402
from grader.selfcheck import modes  # noqa: E402
from grader.tolerance import max_abs  # noqa: E402

VALUE_CHECKS = {"values", "finite", "stable_large_logits"}


def calibrate(device: str, seeds: int, only: list[str]) -> tuple[list[dict], list[dict]]:
    """(one row per question/dtype/seed/case/output, one row per question/dtype/seed/mistake)."""
    bank = load_bank()
    rows, mistakes = [], []
    for q in bank.questions:
        if q.kind != "coding" or (only and q.id not in only):
            continue
        sol = bank.solution_dir(q.id)
        reference = Impl(getattr(load_file(sol / "reference.py"), q.coding.entry_point))
        value_mistakes = [m.id for m in q.coding.mistakes if m.caught_by in VALUE_CHECKS]
        for dtype, tf32 in modes(q, device, None):
            torch.backends.cuda.matmul.allow_tf32 = tf32
            mode = dtype + ("+tf32" if tf32 else "")
            for seed in range(seeds):
                plan = build_plan(q, sol, dtype, device, seed)
                caught = dict.fromkeys(value_mistakes, 0.0)  # the largest error/tolerance over all cases
                for prep in plan.cases + plan.large:
                    got = reference.run(prep.script, prep.inputs, plan.dtype, device)
                    for i, (g, e, b, tol) in enumerate(zip(got, prep.golden, prep.baseline, prep.tols)):
                        if not (isinstance(e, torch.Tensor) and e.is_floating_point()):
                            continue
                        for mid in value_mistakes:
                            m = plan.mistake_leaves(mid, prep)
                            if isinstance(m, str) or not isinstance(m[i], torch.Tensor):
                                continue
                            finite = torch.isfinite(e)
                            bad = not torch.isfinite(m[i].to(e.device)[finite]).all()
                            caught[mid] = max(caught[mid], math.inf if bad else max_abs(m[i], e) / max(tol, 1e-300))
                        rows.append({"question": q.id, "dtype": mode, "seed": seed, "case": prep.case.id,
                                     "output": i, "shape": list(e.shape), "baseline_err": max_abs(b, e),
                                     "tolerance": tol, "reference_err": max_abs(g, e),
                                     "reference_ratio": max_abs(g, e) / tol if tol else 0.0})
                mistakes += [{"question": q.id, "dtype": mode, "seed": seed, "mistake": mid, "max_ratio": r}
                             for mid, r in caught.items()]
    torch.backends.cuda.matmul.allow_tf32 = False
    return rows, mistakes


def calibrate_parallel(device: str, seeds: int, only: list[str], jobs: int) -> tuple[list[dict], list[dict]]:
    """`calibrate`, one question per process (spawned: CUDA cannot be forked), results in bank order."""
    if jobs <= 1:
        return calibrate(device, seeds, only)
    ids = [q.id for q in load_bank().questions if q.kind == "coding" and (not only or q.id in only)]
    rows, mistakes = [], []
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        for qid, (r, m) in zip(ids, pool.map(calibrate, [device] * len(ids), [seeds] * len(ids),
                                             [[i] for i in ids])):
            print(f"calibrated {qid}", file=sys.stderr, flush=True)
            rows += r
            mistakes += m
    return rows, mistakes


def summary(rows: list[dict], mistakes: list[dict]) -> str:
    """A markdown table: per question and dtype, the worst reference ratio and the weakest-caught mistake."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["question"], r["dtype"]), []).append(r)
    lines = ["| question | dtype | cases x seeds | max baseline err | max tolerance | worst reference/tol | "
             "weakest mistake: its error/tol |", "|---|---|---|---|---|---|---|"]
    for (qid, dtype), rs in groups.items():
        # a ratio of 0 means the mistake differs only in non-float outputs, which are compared exactly
        ms = [m for m in mistakes if m["question"] == qid and m["dtype"] == dtype and m["max_ratio"] > 0]
        weakest = min(ms, key=lambda m: m["max_ratio"]) if ms else None
        weak = f"{weakest['mistake']}: {weakest['max_ratio']:.3g}" if weakest else "exact (non-float outputs)"
        lines.append(f"| {qid} | {dtype} | {len(rs)} | {max(r['baseline_err'] for r in rs):.2e} | "
                     f"{max(r['tolerance'] for r in rs):.2e} | {max(r['reference_ratio'] for r in rs):.3f} | "
                     f"{weak} |")
    return "\n".join(lines)


def render(path: Path) -> str:
    """The summary of a saved calibration run."""
    data = json.loads(path.read_text())
    return f"device: {data['device']}; torch {data['torch']}\n\n{summary(data['rows'], data['mistakes'])}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--jobs", type=int, default=1, help="questions calibrated in parallel processes")
    parser.add_argument("--render", type=Path, help="only print the summary of a saved --out file")
    parser.add_argument("ids", nargs="*")
    args = parser.parse_args()
    if args.render:
        print(render(args.render))
        return
    rows, mistakes = calibrate_parallel(args.device, args.seeds, args.ids, args.jobs)
    device = torch.cuda.get_device_name() if args.device == "cuda" else platform.processor() or "cpu"
    table = summary(rows, mistakes)
    print(f"device: {device}; torch {torch.__version__}; seeds 0..{args.seeds - 1}\n\n{table}")
    if args.out:
        args.out.write_text(json.dumps({"device": device, "torch": torch.__version__, "rows": rows,
                                        "mistakes": mistakes}, indent=1, default=str))


if __name__ == "__main__":
    main()
