# blind: wrong
# bug: no ValueError for an unsupported head dim or a v with another last dim (fails inside Triton or reads garbage)
# family: raises
import math

import torch
import triton
import triton.language as tl


@triton.jit
def _flash_fwd(Q, K, V, O, LQ, LK, qk_scale, CAUSAL: tl.constexpr, BLOCK_M: tl.constexpr,
               BLOCK_N: tl.constexpr, HEAD_D: tl.constexpr):
    pid_m = tl.program_id(0)
    bh = tl.program_id(1)
    offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = tl.arange(0, BLOCK_N)
    offs_d = tl.arange(0, HEAD_D)
    row_ok = offs_m < LQ
    q = tl.load(Q + bh * LQ * HEAD_D + offs_m[:, None] * HEAD_D + offs_d[None, :], mask=row_ok[:, None], other=0.0)
    k_base = K + bh * LK * HEAD_D
    v_base = V + bh * LK * HEAD_D
    shift = LK - LQ
    m_i = tl.full([BLOCK_M], float("-inf"), dtype=tl.float32)
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)
    acc = tl.zeros([BLOCK_M, HEAD_D], dtype=tl.float32)
    hi = LK
    if CAUSAL:
        # the last query of this block sees keys up to (pid_m + 1) * BLOCK_M - 1 + shift
        hi = tl.minimum(LK, (pid_m + 1) * BLOCK_M + shift)
    for start_n in range(0, hi, BLOCK_N):
        cols = start_n + offs_n
        col_ok = cols < LK
        k = tl.load(k_base + cols[None, :] * HEAD_D + offs_d[:, None], mask=col_ok[None, :], other=0.0)
        s = tl.dot(q, k).to(tl.float32) * qk_scale
        keep = col_ok[None, :]
        if CAUSAL:
            keep = keep & (cols[None, :] <= offs_m[:, None] + shift)
        s = tl.where(keep, s, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(s, 1))
        m_safe = tl.where(m_new == float("-inf"), 0.0, m_new)
        p = tl.exp(s - m_safe[:, None])
        alpha = tl.exp(m_i - m_safe)
        l_i = l_i * alpha + tl.sum(p, 1)
        v = tl.load(v_base + cols[:, None] * HEAD_D + offs_d[None, :], mask=col_ok[:, None], other=0.0)
        acc = acc * alpha[:, None] + tl.dot(p.to(v.dtype), v).to(tl.float32)
        m_i = m_new
    out = acc / tl.where(l_i == 0.0, 1.0, l_i)[:, None]
    tl.store(O + bh * LQ * HEAD_D + offs_m[:, None] * HEAD_D + offs_d[None, :], out.to(O.dtype.element_ty),
             mask=row_ok[:, None])


def triton_flash_attention(q, k, v, causal=False, scale=None):
    """q [B, H, Lq, D], k and v [B, H, Lk, D] -> [B, H, Lq, D]; causal is bottom-right aligned."""
    B, H, LQ, D = q.shape
    LK = k.shape[2]
    if scale is None:
        scale = 1.0 / math.sqrt(D)
    q, k, v = q.contiguous(), k.contiguous(), v.contiguous()
    o = torch.empty_like(q)
    BLOCK_M, BLOCK_N = 16, 16
    grid = (triton.cdiv(LQ, BLOCK_M), B * H)
    _flash_fwd[grid](q, k, v, o, LQ, LK, scale, CAUSAL=causal, BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N, HEAD_D=D)
    return o
