# blind: correct
# family: other
import math

import torch


def flash_attention(q, k, v, causal=False, block_size=64, scale=None):
    """Tiles over queries and keys; the state is kept as (lse, normalised output) and merged with logaddexp."""
    b, h, lq, d = q.shape
    lk, dv = k.shape[-2], v.shape[-1]
    s_mul = scale if scale is not None else 1.0 / math.sqrt(d)
    acc_t = torch.float64 if q.dtype == torch.float64 else torch.float32
    out = torch.empty(b, h, lq, dv, dtype=acc_t, device=q.device)
    lse = torch.empty(b, h, lq, dtype=acc_t, device=q.device)
    neg_inf = float("-inf")
    for q0 in range(0, lq, block_size):
        q1 = min(q0 + block_size, lq)
        qb = q[:, :, q0:q1].to(acc_t)
        run_lse = torch.full((b, h, q1 - q0), neg_inf, dtype=acc_t, device=q.device)
        run_o = torch.zeros(b, h, q1 - q0, dv, dtype=acc_t, device=q.device)
        last_key = torch.arange(q0, q1, device=q.device) + (lk - lq)  # last visible key per query
        for k0 in range(0, lk, block_size):
            k1 = min(k0 + block_size, lk)
            sc = torch.einsum("bhqd,bhkd->bhqk", qb, k[:, :, k0:k1].to(acc_t)) * s_mul
            if causal:
                sc = sc.masked_fill(torch.arange(k0, k1, device=q.device)[None, :] > last_key[:, None], neg_inf)
            blk_lse = torch.logsumexp(sc, dim=-1)
            blk_p = torch.exp(sc - torch.where(torch.isinf(blk_lse), 0.0, blk_lse)[..., None])
            blk_o = torch.einsum("bhqk,bhkv->bhqv", blk_p, v[:, :, k0:k1].to(acc_t))
            new_lse = torch.logaddexp(run_lse, blk_lse)
            safe = torch.where(torch.isinf(new_lse), 0.0, new_lse)
            w_old = torch.exp(run_lse - safe)[..., None]
            w_blk = torch.exp(blk_lse - safe)[..., None]
            run_o = run_o * w_old + blk_o * w_blk
            run_lse = new_lse
        out[:, :, q0:q1] = run_o
        lse[:, :, q0:q1] = run_lse
    return out.to(q.dtype), lse
