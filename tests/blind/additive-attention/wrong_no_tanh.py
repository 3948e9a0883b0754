# blind: wrong
# bug: forgets the tanh: v_a . (W_q q + W_k k_j)
# family: missing-term
import torch


def additive_attention(query, keys, values, w_q, w_k, v_a, mask=None):
    """query [B, Dq], keys [B, L, Dk], values [B, L, Dv], w_q [A, Dq], w_k [A, Dk], v_a [A].

    Returns (context [B, Dv], weights [B, L]); mask bool [B, L], True = may attend.
    """
    work = torch.float32 if query.dtype in (torch.float16, torch.bfloat16) else query.dtype
    hq = query.to(work) @ w_q.to(work).T  # [B, A]
    hk = keys.to(work) @ w_k.to(work).T  # [B, L, A]
    scores = (hq[:, None, :] + hk) @ v_a.to(work)  # [B, L]
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1).nan_to_num(0.0)
    context = (weights[:, :, None] * values.to(work)).sum(dim=1)
    return context.to(query.dtype), weights.to(query.dtype)
