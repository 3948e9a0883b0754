# blind: wrong
# bug: global sums over all positions: not causal
# family: missing-term
import torch
import torch.nn.functional as F


def causal_linear_attention(q, k, v, eps=1e-6):
    """q, k [B, H, L, D], v [B, H, L, Dv] -> [B, H, L, Dv], inclusive prefix sums via cumsum."""
    work = torch.float32 if q.dtype in (torch.float16, torch.bfloat16) else q.dtype
    phi_q = F.elu(q.to(work)) + 1
    phi_k = F.elu(k.to(work)) + 1
    kv = torch.einsum("bhld,bhle->bhde", phi_k, v.to(work))[:, :, None]
    z = phi_k.sum(dim=2, keepdim=True)
    num = torch.einsum("bhld,bhlde->bhle", phi_q, kv)
    den = (phi_q * z).sum(dim=-1, keepdim=True) + eps
    return (num / den).to(q.dtype)
