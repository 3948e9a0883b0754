# blind: correct
# family: other
import torch
import torch.nn.functional as F


def additive_attention(query, keys, values, w_q, w_k, v_a, mask=None):
    """Bahdanau scoring with F.linear and einsum; float64 inside; explicit zero rows."""
    out_dtype = query.dtype
    q = F.linear(query.double(), w_q.double())
    k = F.linear(keys.double(), w_k.double())
    e = torch.einsum("bla,a->bl", torch.tanh(k + q.unsqueeze(1)), v_a.double())
    allowed = torch.ones_like(e, dtype=torch.bool) if mask is None else mask.to(torch.bool)
    e = torch.where(allowed, e, torch.full_like(e, float("-inf")))
    top = e.max(dim=1, keepdim=True).values
    top = torch.where(torch.isinf(top), torch.zeros_like(top), top)
    ex = torch.exp(e - top)
    total = ex.sum(dim=1, keepdim=True)
    alpha = torch.where(total > 0, ex / total.clamp_min(1e-300), torch.zeros_like(ex))
    ctx = torch.einsum("bl,blv->bv", alpha, values.double())
    return ctx.to(out_dtype), alpha.to(out_dtype)
