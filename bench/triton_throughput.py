"""Triton reference vs F.scaled_dot_product_attention: TFLOP/s at B=4, H=16, L=4096, D in {64, 128}, causal
and not (causal counts half the FLOPs, as the FlashAttention papers do), timed with triton.testing.do_bench.

Run on a CUDA machine from the repository root:
  python bench/triton_throughput.py [--dtypes bfloat16 float16] [--module FILE] [--out FILE.md]
  python bench/triton_throughput.py --sweep   # every tile config in SWEEP for the reference, bfloat16
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import multiprocessing as mp
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
import triton
from triton.testing import do_bench

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "solutions" / "triton-flash-attention" / "reference.py"
B, H, L = 4, 16, 4096
SHAPES = [(d, causal) for d in (64, 128) for causal in (False, True)]
# (BLOCK_M, BLOCK_N, num_warps, num_stages) candidates for 16-bit inputs on Hopper
# 4 warps for 64-row tiles, 8 for 128-row ones, and 4 at 128 x 64 too (not 4 at 128 x 128)
SWEEP = [(bm, bn, w, s) for bm, bn, w, s in itertools.product((64, 128), (64, 128), (4, 8), (2, 3, 4))
         if (w == 8) == (bm == 128) or (bm, bn, w) == (128, 64, 4)]


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"kernel_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def inputs(d: int, dtype: torch.dtype, seed: int = 0):
    gen = torch.Generator("cuda").manual_seed(seed)
    return [torch.randn(B, H, L, d, device="cuda", dtype=dtype, generator=gen) for _ in range(3)]


def tflops(ms: float, d: int, causal: bool) -> float:
    return 4 * B * H * L * L * d * (0.5 if causal else 1.0) / ms / 1e9


def sdpa(q, k, v, causal: bool) -> torch.Tensor:
    return F.scaled_dot_product_attention(q, k, v, is_causal=causal)


def measure(fn, qkv: list[torch.Tensor], causal: bool) -> tuple[float, float]:
    """(TFLOP/s from do_bench's median, max |fn - SDPA|) for fn(q, k, v, causal)."""
    err = (fn(*qkv, causal).float() - sdpa(*qkv, causal).float()).abs().max().item()
    ms = do_bench(lambda: fn(*qkv, causal), warmup=50, rep=300, return_mode="median")
    return tflops(ms, qkv[0].shape[-1], causal), err


def _compile(task: tuple) -> str:
    """Worker: compile one kernel variant into Triton's disk cache by running it once (errors are reported)."""
    path, dtype, d, causal, tiles = task
    module = load(Path(path))
    q, k, v = inputs(d, getattr(torch, dtype))
    try:
        if tiles is None:
            module.triton_flash_attention(q, k, v, causal=causal)
        else:
            module._launch(q, k, v, causal, d**-0.5, tiles)
        torch.cuda.synchronize()
        return ""
    except Exception as exc:  # noqa: BLE001 - an out-of-resources config is a result of the sweep
        return f"{tiles}: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}"


def precompile(tasks: list[tuple], jobs: int) -> set:
    """Compile in parallel processes; return the tasks that failed."""
    with mp.get_context("spawn").Pool(jobs) as pool:
        errors = pool.map(_compile, tasks)
    for e in filter(None, errors):
        print("compile failed:", e, file=sys.stderr)
    return {t for t, e in zip(tasks, errors) if e}


def sweep(jobs: int) -> list[str]:
    tasks = [(str(REFERENCE), "bfloat16", d, c, t) for d, c in SHAPES for t in SWEEP]
    failed = precompile(tasks, jobs)
    ref = load(REFERENCE)
    rows = ["| D | causal | BLOCK_M | BLOCK_N | warps | stages | TFLOP/s | max abs err vs SDPA |",
            "|---|---|---|---|---|---|---|---|"]
    for d, causal in SHAPES:
        qkv = inputs(d, torch.bfloat16)
        results = []
        for tiles in SWEEP:
            if (str(REFERENCE), "bfloat16", d, causal, tiles) in failed:
                continue
            run = lambda q, k, v, c, t=tiles: ref._launch(q, k, v, c, q.shape[-1] ** -0.5, t)  # noqa: E731
            rate, err = measure(run, qkv, causal)
            results.append((rate, tiles, err))
        for rate, tiles, err in sorted(results, reverse=True):
            rows.append(f"| {d} | {causal} | {' | '.join(map(str, tiles))} | {rate:.0f} | {err:.2e} |")
    return rows


def table(path: Path, dtypes: list[str], jobs: int) -> list[str]:
    precompile([(str(path), dt, d, c, None) for dt in dtypes for d, c in SHAPES], jobs)
    module = load(path)
    rows = ["| dtype | D | causal | Triton TFLOP/s | SDPA TFLOP/s | Triton / SDPA | max abs err vs SDPA |",
            "|---|---|---|---|---|---|---|"]
    for dt in dtypes:
        for d, causal in SHAPES:
            qkv = inputs(d, getattr(torch, dt))
            mine, err = measure(lambda q, k, v, c: module.triton_flash_attention(q, k, v, causal=c), qkv, causal)
            theirs, _ = measure(sdpa, qkv, causal)
            rows.append(f"| {dt} | {d} | {causal} | {mine:.0f} | {theirs:.0f} | {mine / theirs:.0%} | {err:.2e} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="time every config in SWEEP (bfloat16)")
    parser.add_argument("--module", type=Path, default=REFERENCE, help="a file defining triton_flash_attention")
    parser.add_argument("--dtypes", nargs="+", default=["bfloat16", "float16"])
    parser.add_argument("--jobs", type=int, default=12, help="processes compiling kernels ahead of timing")
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    device = f"{torch.cuda.get_device_name()}, torch {torch.__version__}, Triton {triton.__version__}"
    rows = sweep(args.jobs) if args.sweep else table(args.module, args.dtypes, args.jobs)
    text = "\n".join([f"B={B}, H={H}, L={L}; {device}", "", *rows]) + "\n"
    print(text, flush=True)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
