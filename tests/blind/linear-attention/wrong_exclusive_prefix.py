# blind: wrong
# bug: exclusive prefix sums: position i does not include itself (j < i)
# family: off-by-one
import torch
import torch.nn.functional as F


def causal_linear_attention(q, k, v, eps=1e-6):
    """q, k [B, H, L, D], v [B, H, L, Dv] -> [B, H, L, Dv], inclusive prefix sums via cumsum."""
    work = torch.float32 if q.dtype in (torch.float16, torch.bfloat16) else q.dtype
    phi_q = F.elu(q.to(work)) + 1
    phi_k = F.elu(k.to(work)) + 1
    kv = torch.einsum("bhld,bhle->bhlde", phi_k, v.to(work)).cumsum(dim=2)
    kv = torch.cat([torch.zeros_like(kv[:, :, :1]), kv[:, :, :-1]], dim=2)
    z = phi_k.cumsum(dim=2)
    z = torch.cat([torch.zeros_like(z[:, :, :1]), z[:, :, :-1]], dim=2)
    num = torch.einsum("bhld,bhlde->bhle", phi_q, kv)
    den = (phi_q * z).sum(dim=-1, keepdim=True) + eps
    return (num / den).to(q.dtype)
