"""Reference: a forward FlashAttention kernel in Triton (tiling + online softmax, never an Lq x Lk matrix).

One program handles BLOCK_M queries of one (batch, head): it streams over the keys in blocks of BLOCK_N,
keeping a running max `m`, a running sum `l` and an unnormalised accumulator, all in float32.

Speed-ups, each marked where it is made:
1. exp2 instead of exp, with log2(e) folded into the scale once on the host (exp2 is one instruction), and
   the scale folded into exp2's argument: the row max is taken on raw scores and scaled once per row, and
   `s * qk_scale - m` is one fused multiply-add per score instead of a multiply and a subtract. This needs
   qk_scale > 0 (the max of scaled scores is then the scaled max); the host makes it so.
   (Scaling the Q tile once instead of every score was tried and measured slower on an H200, e.g. 310 against
   409 TFLOP/s at D=64, bfloat16; the cause was not established.)
2. Key blocks that need no mask (fully inside the keys and, when causal, fully visible to every query of the
   block) run a loop without bounds checks or `where`; only the diagonal and the ragged last block are masked.
3. The second product accumulates into `acc` in place (`tl.dot(p, v, acc)`), so no extra tile-sized add.
4. Causal programs are launched heaviest first, so the short ones fill the tail of the grid.
5. Tile sizes, warps and pipeline stages per head dim, tuned on an H200 by `bench/triton_throughput.py
   --sweep` and `bench/triton_variants.py`; float32 on a GPU (no tensor cores in IEEE mode) gets small tiles that compile quickly.
"""

from __future__ import annotations

import math

import torch
import triton
import triton.language as tl


@triton.jit
def _attend_block(acc, l_i, m_i, q, k_base, v_base, stride_kn, stride_vn, start_n, offs_m, offs_n, offs_d,
                  LK, shift, qk_scale, MASKED: tl.constexpr, CAUSAL: tl.constexpr, PRECISION: tl.constexpr):
    """One key block of the online softmax; only MASKED blocks check bounds and the causal diagonal (2.)."""
    cols = start_n + offs_n
    k_ptrs = k_base + cols[None, :] * stride_kn + offs_d[:, None]  # K^T tile [D, BLOCK_N]
    v_ptrs = v_base + cols[:, None] * stride_vn + offs_d[None, :]
    if MASKED:
        k = tl.load(k_ptrs, mask=cols[None, :] < LK, other=0.0)
    else:
        k = tl.load(k_ptrs)
    s = tl.dot(q, k, input_precision=PRECISION)  # [BLOCK_M, BLOCK_N] raw scores, not yet scaled (1.)
    if MASKED:
        allowed = cols[None, :] < LK  # the last block may run past the keys
        if CAUSAL:
            allowed = allowed & (cols[None, :] <= offs_m[:, None] + shift)
        s = tl.where(allowed, s, float("-inf"))
    m_new = tl.maximum(m_i, tl.max(s, 1) * qk_scale)  # the running max, in scaled log2 units (1.)
    if MASKED:  # rows with nothing allowed yet: avoid -inf - -inf
        m_ref = tl.where(m_new == float("-inf"), 0.0, m_new)
    else:
        m_ref = m_new  # an unmasked block's scores are finite, and so is its max
    p = tl.math.exp2(s * qk_scale - m_ref[:, None])  # one fused multiply-add per score (1.)
    alpha = tl.math.exp2(m_i - m_ref)  # rescales what was accumulated under the old max
    l_i = l_i * alpha + tl.sum(p, 1)
    if MASKED:
        v = tl.load(v_ptrs, mask=cols[:, None] < LK, other=0.0)
    else:
        v = tl.load(v_ptrs)
    acc = acc * alpha[:, None]
    acc = tl.dot(p.to(v.dtype), v, acc, input_precision=PRECISION)  # accumulates in place (3.)
    return acc, l_i, m_new


@triton.jit
def _flash_fwd(Q, K, V, O, stride_qb, stride_qh, stride_qm, stride_kb, stride_kh, stride_kn,
               stride_vb, stride_vh, stride_vn, stride_ob, stride_oh, stride_om,
               H, LQ, LK, qk_scale, CAUSAL: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
               HEAD_D: tl.constexpr, PRECISION: tl.constexpr):
    if CAUSAL:  # the last query block sees the most keys: start it first (4.)
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
                mask=offs_m[:, None] < LQ, other=0.0)  # [BLOCK_M, D]
    k_base = K + b * stride_kb + h * stride_kh
    v_base = V + b * stride_vb + h * stride_vh
    m_i = tl.full([BLOCK_M], float("-inf"), dtype=tl.float32)
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)
    acc = tl.zeros([BLOCK_M, HEAD_D], dtype=tl.float32)
    shift = LK - LQ  # bottom-right alignment: query i sits at position shift + i
    hi = LK
    full = LK // BLOCK_N * BLOCK_N  # blocks before `full` lie inside the keys
    if CAUSAL:  # key blocks entirely after the last query of this block are skipped
        hi = tl.minimum(LK, tl.maximum((pid_m + 1) * BLOCK_M + shift, 0))
        # and blocks up to the first query's last visible key are seen whole by every query of the block
        full = tl.minimum(full, tl.maximum(pid_m * BLOCK_M + shift + 1, 0) // BLOCK_N * BLOCK_N)
    for start_n in range(0, full, BLOCK_N):
        acc, l_i, m_i = _attend_block(acc, l_i, m_i, q, k_base, v_base, stride_kn, stride_vn, start_n, offs_m,
                                      offs_n, offs_d, LK, shift, qk_scale, False, CAUSAL, PRECISION)
    for start_n in range(full, hi, BLOCK_N):
        acc, l_i, m_i = _attend_block(acc, l_i, m_i, q, k_base, v_base, stride_kn, stride_vn, start_n, offs_m,
                                      offs_n, offs_d, LK, shift, qk_scale, True, CAUSAL, PRECISION)
    out = acc / tl.where(l_i > 0, l_i, 1.0)[:, None]  # a query that saw no key keeps zeros
    tl.store(O + b * stride_ob + h * stride_oh + offs_m[:, None] * stride_om + offs_d[None, :],
             out.to(O.dtype.element_ty), mask=offs_m[:, None] < LQ)


# (BLOCK_M, BLOCK_N, num_warps, num_stages) by (head dim, causal) for 16-bit inputs on Hopper (5.): measured
# with `python bench/triton_throughput.py --sweep` on an H200; bench/results/triton-throughput-h200.md.
_HOPPER_TILES = {
    (64, False): (128, 64, 8, 3),
    (64, True): (128, 64, 8, 3),
    (128, False): (256, 64, 16, 3),  # 256 queries share each K/V tile: 4 warpgroups of 64 rows (493 vs 482 TFLOP/s)
    (128, True): (128, 128, 8, 3),
}


def _tiles(q: torch.Tensor, causal: bool) -> tuple[int, int, int, int]:
    """(BLOCK_M, BLOCK_N, num_warps, num_stages) for these inputs."""
    d = q.shape[-1]
    if not q.is_cuda:
        return 16, 16, 4, 1  # small tiles keep the CPU interpreter quick
    if q.dtype == torch.float32:
        return 32, 32, 4, 2  # IEEE float32 dots run on FMA units, where 128 x 64 ran 13x slower (5.)
    if torch.cuda.get_device_capability(q.device)[0] == 9 and (d, causal) in _HOPPER_TILES:
        return _HOPPER_TILES[(d, causal)]
    return 128, 64, 8 if d == 128 else 4, 3


def _launch(q, k, v, causal: bool, scale: float, tiles: tuple[int, int, int, int]) -> torch.Tensor:
    """Run the kernel with explicit tiles (the throughput sweep calls this directly)."""
    b, h, lq, d = q.shape
    block_m, block_n, num_warps, num_stages = tiles
    out = torch.empty_like(q)
    grid = (triton.cdiv(lq, block_m), b * h)
    _flash_fwd[grid](q, k, v, out, q.stride(0), q.stride(1), q.stride(2), k.stride(0), k.stride(1), k.stride(2),
                     v.stride(0), v.stride(1), v.stride(2), out.stride(0), out.stride(1), out.stride(2),
                     h, lq, k.shape[-2], scale * 1.4426950408889634, CAUSAL=causal, BLOCK_M=block_m,
                     BLOCK_N=block_n, HEAD_D=d, PRECISION="ieee" if q.dtype == torch.float32 else "tf32",
                     num_warps=num_warps, num_stages=num_stages)
    return out


def triton_flash_attention(q, k, v, causal=False, scale=None):
    d = q.shape[-1]
    if d not in (16, 32, 64, 128) or v.shape[-1] != d:
        raise ValueError(f"head dim must be 16, 32, 64 or 128 and equal for q, k and v, got {d}, {v.shape[-1]}")
    q, k, v = q.contiguous(), k.contiguous(), v.contiguous()  # the kernel assumes a unit stride over D
    scale = 1.0 / math.sqrt(d) if scale is None else scale
    if scale < 0:  # the kernel needs a positive scale (1.): q . (-k) * |scale| is the same score
        k, scale = -k, -scale
    scale = scale or torch.finfo(torch.float32).tiny  # scale 0: every score ~0, uniform weights, as asked
    return _launch(q, k, v, causal, scale, _tiles(q, causal))
