# blind: correct
# family: other
import torch


def attention_backward(q, k, v, dout, scale=None):
    """FlashAttention-style: delta_i = dO_i . O_i replaces rowsum(P * dP); float64 inside, einsum."""
    s = q.shape[-1] ** -0.5 if scale is None else scale
    q64, k64, v64, do64 = q.double(), k.double(), v.double(), dout.double()
    logits = torch.einsum("bhid,bhjd->bhij", q64, k64) * s
    logits = logits - logits.amax(dim=-1, keepdim=True)
    p = logits.exp()
    p = p / p.sum(dim=-1, keepdim=True)
    o = torch.einsum("bhij,bhje->bhie", p, v64)
    delta = (do64 * o).sum(dim=-1, keepdim=True)
    dp = torch.einsum("bhie,bhje->bhij", do64, v64)
    ds = p * (dp - delta) * s
    dq = torch.einsum("bhij,bhjd->bhid", ds, k64)
    dk = torch.einsum("bhij,bhid->bhjd", ds, q64)
    dv = torch.einsum("bhij,bhie->bhje", p, do64)
    return dq.to(q.dtype), dk.to(q.dtype), dv.to(q.dtype)
