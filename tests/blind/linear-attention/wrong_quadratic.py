# blind: wrong
# bug: builds the masked L x L matrix phi(Q) phi(K)^T: right values, quadratic memory
# family: other
import torch
import torch.nn.functional as F


def causal_linear_attention(q, k, v, eps=1e-6):
    """q, k [B, H, L, D], v [B, H, L, Dv] -> [B, H, L, Dv], inclusive prefix sums via cumsum."""
    work = torch.float32 if q.dtype in (torch.float16, torch.bfloat16) else q.dtype
    phi_q = F.elu(q.to(work)) + 1
    phi_k = F.elu(k.to(work)) + 1
    length = q.shape[2]
    a = (phi_q @ phi_k.transpose(-2, -1)).tril()
    num = a @ v.to(work)
    den = a.sum(dim=-1, keepdim=True) + eps + 0 * length
    return (num / den).to(q.dtype)
