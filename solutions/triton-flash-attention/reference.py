"""Reference: a forward FlashAttention kernel in Triton (tiling + online softmax, never an Lq x Lk matrix).

One program handles BLOCK_M queries of one (batch, head): it streams over the keys in blocks of BLOCK_N,
keeping a running max `m`, a running sum `l` and an unnormalised accumulator, all in float32.
Exponentials are taken base 2 (exp2 is one instruction) with the scale folded into log2(e).
"""

from __future__ import annotations

import math

import torch
import triton
import triton.language as tl


@triton.jit
def _flash_fwd(Q, K, V, O, stride_qb, stride_qh, stride_qm, stride_kb, stride_kh, stride_kn,
               stride_vb, stride_vh, stride_vn, stride_ob, stride_oh, stride_om,
               H, LQ, LK, qk_scale, CAUSAL: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
               HEAD_D: tl.constexpr, PRECISION: tl.constexpr):
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
    if CAUSAL:  # key blocks entirely after the last query of this block are skipped
        hi = tl.minimum(LK, tl.maximum((pid_m + 1) * BLOCK_M + shift, 0))
    for start_n in range(0, hi, BLOCK_N):
        cols = start_n + offs_n
        k = tl.load(k_base + cols[None, :] * stride_kn + offs_d[:, None], mask=cols[None, :] < LK, other=0.0)
        s = tl.dot(q, k, input_precision=PRECISION) * qk_scale  # [BLOCK_M, BLOCK_N], log2 units
        allowed = cols[None, :] < LK  # the last block may run past the keys
        if CAUSAL:
            allowed = allowed & (cols[None, :] <= offs_m[:, None] + shift)
        s = tl.where(allowed, s, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(s, 1))
        m_ref = tl.where(m_new == float("-inf"), 0.0, m_new)  # rows with nothing allowed yet: avoid -inf - -inf
        p = tl.math.exp2(s - m_ref[:, None])
        alpha = tl.math.exp2(m_i - m_ref)  # rescales what was accumulated under the old max
        l_i = l_i * alpha + tl.sum(p, 1)
        v = tl.load(v_base + cols[:, None] * stride_vn + offs_d[None, :], mask=cols[:, None] < LK, other=0.0)
        acc = acc * alpha[:, None] + tl.dot(p.to(v.dtype), v, input_precision=PRECISION)
        m_i = m_new
    out = acc / tl.where(l_i > 0, l_i, 1.0)[:, None]  # a query that saw no key keeps zeros
    tl.store(O + b * stride_ob + h * stride_oh + offs_m[:, None] * stride_om + offs_d[None, :],
             out.to(O.dtype.element_ty), mask=offs_m[:, None] < LQ)


def triton_flash_attention(q, k, v, causal=False, scale=None):
    b, h, lq, d = q.shape
    lk = k.shape[-2]
    if d not in (16, 32, 64, 128) or v.shape[-1] != d:
        raise ValueError(f"head dim must be 16, 32, 64 or 128 and equal for q, k and v, got {d}, {v.shape[-1]}")
    q, k, v = q.contiguous(), k.contiguous(), v.contiguous()  # the kernel assumes a unit stride over D
    out = torch.empty_like(q)
    scale = 1.0 / math.sqrt(d) if scale is None else scale
    block_m, block_n = (128, 64) if q.is_cuda else (16, 16)  # small tiles keep the CPU interpreter quick
    grid = (triton.cdiv(lq, block_m), b * h)
    _flash_fwd[grid](q, k, v, out, q.stride(0), q.stride(1), q.stride(2), k.stride(0), k.stride(1), k.stride(2),
                     v.stride(0), v.stride(1), v.stride(2), out.stride(0), out.stride(1), out.stride(2),
                     h, lq, lk, scale * 1.4426950408889634, CAUSAL=causal, BLOCK_M=block_m, BLOCK_N=block_n,
                     HEAD_D=d, PRECISION="ieee" if q.dtype == torch.float32 else "tf32",
                     num_warps=8 if d == 128 else 4, num_stages=3)
    return out
