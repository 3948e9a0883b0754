# blind: correct

import torch
import triton
import triton.language as tl

LOG2E = 1.4426950408889634


@triton.jit
def _attn_fwd(Q, K, V, O, s_qb, s_qh, s_qm, s_kb, s_kh, s_kn, s_vb, s_vh, s_vn, s_ob, s_oh, s_om, H, LQ, LK,
              scale_log2, CAUSAL: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, HEAD_D: tl.constexpr):
    """FlashAttention-2 style forward on strided tensors, exp2 with log2(e) folded into the scale."""
    start_m = tl.program_id(0)
    off_bh = tl.program_id(1)
    b = off_bh // H
    h = off_bh % H
    rm = start_m * BLOCK_M + tl.arange(0, BLOCK_M)
    rn = tl.arange(0, BLOCK_N)
    rd = tl.arange(0, HEAD_D)
    q_ptr = Q + b * s_qb + h * s_qh + rm[:, None] * s_qm + rd[None, :]
    q = tl.load(q_ptr, mask=rm[:, None] < LQ, other=0.0)
    m = tl.zeros([BLOCK_M], dtype=tl.float32) - float("inf")
    denom = tl.zeros([BLOCK_M], dtype=tl.float32)
    o = tl.zeros([BLOCK_M, HEAD_D], dtype=tl.float32)
    offset = LK - LQ
    for n0 in range(0, LK, BLOCK_N):
        cn = n0 + rn
        kt = tl.load(K + b * s_kb + h * s_kh + cn[None, :] * s_kn + rd[:, None], mask=cn[None, :] < LK, other=0.0)
        x = tl.dot(q, kt).to(tl.float32) * scale_log2
        ok = cn[None, :] < LK
        if CAUSAL:
            ok = ok & (cn[None, :] <= rm[:, None] + offset)
        x = tl.where(ok, x, float("-inf"))
        m_next = tl.maximum(m, tl.max(x, axis=1))
        ref = tl.where(m_next > float("-inf"), m_next, 0.0)
        p = tl.math.exp2(x - ref[:, None])
        corr = tl.math.exp2(m - ref)
        denom = denom * corr + tl.sum(p, axis=1)
        vb = tl.load(V + b * s_vb + h * s_vh + cn[:, None] * s_vn + rd[None, :], mask=cn[:, None] < LK, other=0.0)
        o = o * corr[:, None] + tl.dot(p.to(vb.dtype), vb).to(tl.float32)
        m = m_next
    o = tl.where(denom[:, None] > 0.0, o / tl.maximum(denom, 1e-30)[:, None], 0.0)
    tl.store(O + b * s_ob + h * s_oh + rm[:, None] * s_om + rd[None, :], o.to(O.dtype.element_ty),
             mask=rm[:, None] < LQ)


def triton_flash_attention(q, k, v, causal=False, scale=None):
    D = q.size(-1)
    if D not in {16, 32, 64, 128} or k.size(-1) != D or v.size(-1) != D:
        raise ValueError("head dims must all be one of 16, 32, 64, 128")
    scale = D ** -0.5 if scale is None else float(scale)
    # the last dim must be contiguous; other strides are passed to the kernel
    q, k, v = (t if t.stride(-1) == 1 else t.contiguous() for t in (q, k, v))
    B, H, LQ, _ = q.shape
    LK = k.size(2)
    out = torch.empty((B, H, LQ, D), dtype=q.dtype, device=q.device)
    BLOCK_M, BLOCK_N = 32, 16
    grid = (triton.cdiv(LQ, BLOCK_M), B * H)
    _attn_fwd[grid](q, k, v, out, *q.stride()[:3], *k.stride()[:3], *v.stride()[:3], *out.stride()[:3], H, LQ, LK,
                    scale * LOG2E, CAUSAL=causal, BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N, HEAD_D=D)
    return out
