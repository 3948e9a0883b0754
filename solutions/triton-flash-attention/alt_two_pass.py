"""Alternative Triton kernel in two passes over the keys: first the row max and sum, then the weighted values.

It reads K twice but never rescales the accumulator, since the final max and sum are known up front.
"""


import torch
import triton
import triton.language as tl


@triton.jit
def _two_pass(Q, K, V, O, s_qb, s_qh, s_qm, s_kb, s_kh, s_kn, s_vb, s_vh, s_vn, s_ob, s_oh, s_om, H, LQ, LK, SCALE,
              CAUSAL: tl.constexpr, BM: tl.constexpr, BN: tl.constexpr, D: tl.constexpr, PREC: tl.constexpr):
    i = tl.program_id(0) * BM + tl.arange(0, BM)
    bh = tl.program_id(1)
    d = tl.arange(0, D)
    qp = Q + (bh // H) * s_qb + (bh % H) * s_qh
    kp = K + (bh // H) * s_kb + (bh % H) * s_kh
    vp = V + (bh // H) * s_vb + (bh % H) * s_vh
    q = tl.load(qp + i[:, None] * s_qm + d[None, :], mask=i[:, None] < LQ, other=0.0)
    m = tl.full([BM], float("-inf"), tl.float32)
    for start in range(0, LK, BN):  # pass 1: the exact row max
        j = start + tl.arange(0, BN)
        s = tl.dot(q, tl.load(kp + j[None, :] * s_kn + d[:, None], mask=j[None, :] < LK, other=0.0),
                   input_precision=PREC) * SCALE
        ok = (j[None, :] < LK) & ((j[None, :] <= i[:, None] + (LK - LQ)) | (not CAUSAL))
        m = tl.maximum(m, tl.max(tl.where(ok, s, float("-inf")), 1))
    m_safe = tl.where(m == float("-inf"), 0.0, m)
    l = tl.zeros([BM], tl.float32)
    acc = tl.zeros([BM, D], tl.float32)
    for start in range(0, LK, BN):  # pass 2: sum and weighted values under the final max
        j = start + tl.arange(0, BN)
        s = tl.dot(q, tl.load(kp + j[None, :] * s_kn + d[:, None], mask=j[None, :] < LK, other=0.0),
                   input_precision=PREC) * SCALE
        ok = (j[None, :] < LK) & ((j[None, :] <= i[:, None] + (LK - LQ)) | (not CAUSAL))
        p = tl.where(ok, tl.exp(s - m_safe[:, None]), 0.0)
        l += tl.sum(p, 1)
        v = tl.load(vp + j[:, None] * s_vn + d[None, :], mask=j[:, None] < LK, other=0.0)
        acc += tl.dot(p.to(v.dtype), v, input_precision=PREC)
    acc = acc / tl.where(l > 0, l, 1.0)[:, None]
    tl.store(O + (bh // H) * s_ob + (bh % H) * s_oh + i[:, None] * s_om + d[None, :], acc.to(O.dtype.element_ty),
             mask=i[:, None] < LQ)


def triton_flash_attention(q, k, v, causal=False, scale=None):
    B, H, LQ, D = q.shape
    if D not in (16, 32, 64, 128) or v.shape[-1] != D:
        raise ValueError(f"unsupported head dim {D}")
    q, k, v = q.contiguous(), k.contiguous(), v.contiguous()
    o = torch.empty_like(q)
    if not q.is_cuda:
        bm, bn = 16, 16
    else:  # float32 dots run on FMA units, where big tiles run and compile slowly
        bm, bn = (32, 32) if q.dtype == torch.float32 else (128, 64)
    _two_pass[(triton.cdiv(LQ, bm), B * H)](
        q, k, v, o, q.stride(0), q.stride(1), q.stride(2), k.stride(0), k.stride(1), k.stride(2),
        v.stride(0), v.stride(1), v.stride(2), o.stride(0), o.stride(1), o.stride(2), H, LQ, k.shape[2],
        (scale if scale is not None else D**-0.5), CAUSAL=causal, BM=bm, BN=bn, D=D,
        PREC="ieee" if q.dtype == torch.float32 else "tf32", num_warps=8 if D == 128 and bm == 128 else 4)
    return o
