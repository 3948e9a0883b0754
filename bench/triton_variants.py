"""Candidate speed-ups of the Triton reference, each a switch, timed against one another at B=4, H=16, L=4096
(issue 16): which of them earns its place in solutions/triton-flash-attention/reference.py.

Switches (constexpr flags of one kernel, so every combination is the same code otherwise):
  FOLD  the score scale folded into the exp2 argument (`s * scale - m` is one fused multiply-add) and into
        the row max, instead of scaling every score before the max;
  TMA   K and V tiles loaded through host-built tensor descriptors (Hopper's bulk tensor copy engine) instead
        of pointer arithmetic; the kernel reads K as [BLOCK_N, D] rows and transposes the tile for the dot;
  WS    the unmasked key loop warp-specialised (`tl.range(..., warp_specialize=True)`): producer warps
        load while consumer warps compute;
  LAZY  in unmasked blocks, the accumulator is rescaled only when some row's max grew by more than 8 (log2
        units), so most blocks skip the [BLOCK_M, D] multiply; p then stays below 2^8 (FlashAttention-4's
        conditional rescaling, 2025).

Run on a CUDA machine from the repository root:
  python bench/triton_variants.py [--d 128] [--causal both] [--jobs 12]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
from pathlib import Path

import torch
import triton
import triton.language as tl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from triton_throughput import inputs, measure, sdpa  # noqa: E402


@triton.jit
def _block(acc, l_i, m_i, q, K, V, stride_kn, stride_vn, bh, start_n, offs_m, offs_n, offs_d, LK, shift, qk_scale,
           MASKED: tl.constexpr, CAUSAL: tl.constexpr, FOLD: tl.constexpr, TMA: tl.constexpr,
           BLOCK_N: tl.constexpr, HEAD_D: tl.constexpr, LAZY: tl.constexpr):
    cols = start_n + offs_n
    if TMA:
        k = tl.trans(K.load([bh, start_n, 0]).reshape(BLOCK_N, HEAD_D))  # rows past LK come back as zeros
    elif MASKED:
        k = tl.load(K + cols[None, :] * stride_kn + offs_d[:, None], mask=cols[None, :] < LK, other=0.0)
    else:
        k = tl.load(K + cols[None, :] * stride_kn + offs_d[:, None])
    s = tl.dot(q, k)
    if not FOLD:
        s = s * qk_scale
    if MASKED:
        allowed = cols[None, :] < LK
        if CAUSAL:
            allowed = allowed & (cols[None, :] <= offs_m[:, None] + shift)
        s = tl.where(allowed, s, float("-inf"))
    if FOLD:
        m_new = tl.maximum(m_i, tl.max(s, 1) * qk_scale)  # qk_scale > 0: the max commutes with the scale
    else:
        m_new = tl.maximum(m_i, tl.max(s, 1))
    if TMA:
        v = V.load([bh, start_n, 0]).reshape(BLOCK_N, HEAD_D)
    elif MASKED:
        v = tl.load(V + cols[:, None] * stride_vn + offs_d[None, :], mask=cols[:, None] < LK, other=0.0)
    else:
        v = tl.load(V + cols[:, None] * stride_vn + offs_d[None, :])
    if LAZY and not MASKED:
        if tl.max(m_new - m_i, 0) > 8.0:  # a row's max grew a lot: move every row to its new max
            alpha = tl.math.exp2(m_i - m_new)
            acc = acc * alpha[:, None]
            l_i = l_i * alpha
            m_i = m_new
        if FOLD:
            p = tl.math.exp2(s * qk_scale - m_i[:, None])
        else:
            p = tl.math.exp2(s - m_i[:, None])
        l_i = l_i + tl.sum(p, 1)
        acc = tl.dot(p.to(v.dtype), v, acc)
        return acc, l_i, m_i
    if MASKED:
        m_ref = tl.where(m_new == float("-inf"), 0.0, m_new)
    else:
        m_ref = m_new  # an unmasked block has finite scores, so its max is finite
    if FOLD:
        p = tl.math.exp2(s * qk_scale - m_ref[:, None])
    else:
        p = tl.math.exp2(s - m_ref[:, None])
    alpha = tl.math.exp2(m_i - m_ref)
    l_i = l_i * alpha + tl.sum(p, 1)
    acc = acc * alpha[:, None]
    acc = tl.dot(p.to(v.dtype), v, acc)
    return acc, l_i, m_new


@triton.jit
def _fwd(Q, K, V, O, stride_qb, stride_qh, stride_qm, stride_kb, stride_kh, stride_kn, stride_vb, stride_vh,
         stride_vn, stride_ob, stride_oh, stride_om, H, LQ, LK, qk_scale, CAUSAL: tl.constexpr,
         BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, HEAD_D: tl.constexpr, FOLD: tl.constexpr,
         TMA: tl.constexpr, WS: tl.constexpr, LAZY: tl.constexpr):
    if CAUSAL:
        pid_m = tl.num_programs(0) - 1 - tl.program_id(0)
    else:
        pid_m = tl.program_id(0)
    pid_bh = tl.program_id(1)
    b = pid_bh // H
    h = pid_bh % H
    offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = tl.arange(0, BLOCK_N)
    offs_d = tl.arange(0, HEAD_D)
    q = tl.load(Q + b * stride_qb + h * stride_qh + offs_m[:, None] * stride_qm + offs_d[None, :],
                mask=offs_m[:, None] < LQ, other=0.0)
    if TMA:
        k_base = K
        v_base = V
    else:
        k_base = K + b * stride_kb + h * stride_kh
        v_base = V + b * stride_vb + h * stride_vh
    m_i = tl.full([BLOCK_M], float("-inf"), dtype=tl.float32)
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)
    acc = tl.zeros([BLOCK_M, HEAD_D], dtype=tl.float32)
    shift = LK - LQ
    hi = LK
    full = LK // BLOCK_N * BLOCK_N
    if CAUSAL:
        hi = tl.minimum(LK, tl.maximum((pid_m + 1) * BLOCK_M + shift, 0))
        full = tl.minimum(full, tl.maximum(pid_m * BLOCK_M + shift + 1, 0) // BLOCK_N * BLOCK_N)
    for start_n in tl.range(0, full, BLOCK_N, warp_specialize=WS):
        acc, l_i, m_i = _block(acc, l_i, m_i, q, k_base, v_base, stride_kn, stride_vn, pid_bh, start_n, offs_m,
                               offs_n, offs_d, LK, shift, qk_scale, False, CAUSAL, FOLD, TMA, BLOCK_N, HEAD_D, LAZY)
    for start_n in range(full, hi, BLOCK_N):
        acc, l_i, m_i = _block(acc, l_i, m_i, q, k_base, v_base, stride_kn, stride_vn, pid_bh, start_n, offs_m,
                               offs_n, offs_d, LK, shift, qk_scale, True, CAUSAL, FOLD, TMA, BLOCK_N, HEAD_D, LAZY)
    out = acc / tl.where(l_i > 0, l_i, 1.0)[:, None]
    tl.store(O + b * stride_ob + h * stride_oh + offs_m[:, None] * stride_om + offs_d[None, :],
             out.to(O.dtype.element_ty), mask=offs_m[:, None] < LQ)


def launch(q, k, v, causal: bool, scale: float, tiles: tuple[int, int, int, int], fold: bool, tma: bool,
           ws: bool, lazy: bool) -> torch.Tensor:
    from triton.tools.tensor_descriptor import TensorDescriptor

    b, h, lq, d = q.shape
    lk = k.shape[-2]
    block_m, block_n, num_warps, num_stages = tiles
    out = torch.empty_like(q)
    kk, vv = k, v
    if tma:
        kk = TensorDescriptor.from_tensor(k.reshape(b * h, lk, d), [1, block_n, d])
        vv = TensorDescriptor.from_tensor(v.reshape(b * h, lk, d), [1, block_n, d])
    grid = (triton.cdiv(lq, block_m), b * h)
    _fwd[grid](q, kk, vv, out, q.stride(0), q.stride(1), q.stride(2), k.stride(0), k.stride(1), k.stride(2),
               v.stride(0), v.stride(1), v.stride(2), out.stride(0), out.stride(1), out.stride(2), h, lq, lk,
               scale * 1.4426950408889634, CAUSAL=causal, BLOCK_M=block_m, BLOCK_N=block_n, HEAD_D=d,
               FOLD=fold, TMA=tma, WS=ws, LAZY=lazy, num_warps=num_warps, num_stages=num_stages)
    return out


# call 1 (bench/results/latency-gpu16.md) swept every FOLD/TMA/WS combination over six tiles; WS changed nothing
# or failed to compile, TMA was slower at 128 x 64: these are what was left to try
TILES = [(128, 128, 8, 3), (128, 64, 8, 3), (256, 128, 16, 2), (256, 64, 16, 3), (256, 64, 8, 3)]
FLAGS = [(False, False, False, False), (True, False, False, False), (True, False, False, True),
         (True, True, False, True), (False, False, False, True)]


def _try(task: tuple) -> str:
    """Worker: compile and check one variant on a small ragged shape; '' when it is right."""
    d, causal, tiles, flags = task
    gen = torch.Generator("cuda").manual_seed(1)
    q, k, v = (torch.randn(2, 3, 1000, d, device="cuda", dtype=torch.bfloat16, generator=gen) for _ in range(3))
    try:
        got = launch(q, k, v, causal, d**-0.5, tiles, *flags)
        err = (got.float() - sdpa(q, k, v, causal).float()).abs().max().item()
        return "" if err < 2e-2 else f"wrong: max err {err:.3g}"
    except Exception as exc:  # noqa: BLE001 - a config that does not compile is a result
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:100] if str(exc) else ''}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--d", type=int, nargs="+", default=[128])
    parser.add_argument("--causal", choices=["no", "yes", "both"], default="both")
    parser.add_argument("--jobs", type=int, default=12)
    args = parser.parse_args()
    causals = {"no": [False], "yes": [True], "both": [False, True]}[args.causal]
    tasks = [(d, c, t, f) for d in args.d for c in causals for t in TILES for f in FLAGS]
    with mp.get_context("spawn").Pool(args.jobs) as pool:
        errors = dict(zip(tasks, pool.map(_try, tasks)))
    print("| D | causal | BLOCK_M | BLOCK_N | warps | stages | FOLD | TMA | WS | LAZY | TFLOP/s | SDPA | ratio "
          "| note |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for d in args.d:
        for causal in causals:
            qkv = inputs(d, torch.bfloat16)
            theirs, _ = measure(sdpa, qkv, causal)
            rows = []
            for tiles in TILES:
                for flags in FLAGS:
                    if errors[(d, causal, tiles, flags)]:
                        rows.append((0.0, tiles, flags, errors[(d, causal, tiles, flags)]))
                        continue
                    run = lambda q, k, v, c, t=tiles, f=flags: launch(q, k, v, c, q.shape[-1] ** -0.5, t, *f)  # noqa: E731
                    rate, err = measure(run, qkv, causal)
                    rows.append((rate, tiles, flags, f"err {err:.2e}"))
            for rate, tiles, flags, note in sorted(rows, key=lambda r: -r[0]):
                cells = " | ".join(map(str, (*tiles, *flags)))
                print(f"| {d} | {causal} | {cells} | {rate:.0f} | {theirs:.0f} | {rate / theirs:.0%} | {note} |",
                      flush=True)


if __name__ == "__main__":
    main()
