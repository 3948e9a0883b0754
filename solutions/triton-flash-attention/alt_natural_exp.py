"""Alternative Triton kernel: natural exp, narrower key blocks, causal masking only where a block needs it."""

import math

import torch
import triton
import triton.language as tl


@triton.jit
def _attn_kernel(Q, K, V, O, sqb, sqh, sqm, skb, skh, skn, svb, svh, svn, sob, soh, som, n_heads, n_q, n_k, scale,
                 CAUSAL: tl.constexpr, BM: tl.constexpr, BN: tl.constexpr, D: tl.constexpr, PREC: tl.constexpr):
    row_block = tl.program_id(0)
    bh = tl.program_id(1)
    rows = row_block * BM + tl.arange(0, BM)
    dims = tl.arange(0, D)
    q_ptr = Q + (bh // n_heads) * sqb + (bh % n_heads) * sqh
    k_ptr = K + (bh // n_heads) * skb + (bh % n_heads) * skh
    v_ptr = V + (bh // n_heads) * svb + (bh % n_heads) * svh
    q = tl.load(q_ptr + rows[:, None] * sqm + dims[None, :], mask=rows[:, None] < n_q, other=0.0)
    best = tl.full([BM], -float("inf"), tl.float32)
    total = tl.zeros([BM], tl.float32)
    out = tl.zeros([BM, D], tl.float32)
    last_visible = rows + (n_k - n_q)  # bottom-right: the last key each row may see
    for j in range(0, n_k, BN):
        keys = j + tl.arange(0, BN)
        kt = tl.load(k_ptr + keys[None, :] * skn + dims[:, None], mask=keys[None, :] < n_k, other=0.0)
        logits = tl.dot(q, kt, input_precision=PREC) * scale
        keep = keys[None, :] < n_k
        if CAUSAL:
            keep = keep & (keys[None, :] <= last_visible[:, None])
        logits = tl.where(keep, logits, -float("inf"))
        new_best = tl.maximum(best, tl.max(logits, axis=1))
        anchor = tl.where(new_best > -float("inf"), new_best, 0.0)
        weights = tl.exp(logits - anchor[:, None])
        decay = tl.exp(best - anchor)
        total = total * decay + tl.sum(weights, axis=1)
        vals = tl.load(v_ptr + keys[:, None] * svn + dims[None, :], mask=keys[:, None] < n_k, other=0.0)
        out = out * decay[:, None] + tl.dot(weights.to(vals.dtype), vals, input_precision=PREC)
        best = new_best
    out = tl.where(total[:, None] > 0, out / total[:, None], 0.0)
    tl.store(O + (bh // n_heads) * sob + (bh % n_heads) * soh + rows[:, None] * som + dims[None, :],
             out.to(O.dtype.element_ty), mask=rows[:, None] < n_q)


def triton_flash_attention(q, k, v, causal=False, scale=None):
    d = q.shape[-1]
    if d not in (16, 32, 64, 128) or v.shape[-1] != d:
        raise ValueError("head dim must be one of 16, 32, 64, 128 (and the same for v)")
    q, k, v = (t.contiguous() for t in (q, k, v))
    o = torch.empty_like(q)
    bm, bn = (64, 32) if q.is_cuda else (16, 8)
    _attn_kernel[(triton.cdiv(q.shape[2], bm), q.shape[0] * q.shape[1])](
        q, k, v, o, *q.stride()[:3], *k.stride()[:3], *v.stride()[:3], *o.stride()[:3], q.shape[1], q.shape[2],
        k.shape[2], scale if scale is not None else 1 / math.sqrt(d), CAUSAL=causal, BM=bm, BN=bn, D=d,
        PREC="ieee" if q.dtype == torch.float32 else "tf32")
    return o
