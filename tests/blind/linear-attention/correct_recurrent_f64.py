# blind: correct
# family: other
import torch
import torch.nn.functional as F


def causal_linear_attention(q, k, v, eps=1e-6):
    """The RNN view: carry S [D, Dv] and z [D] position by position, float64 inside."""
    b, h, length, d = q.shape
    dv = v.shape[-1]
    fq = F.elu(q.double()) + 1.0
    fk = F.elu(k.double()) + 1.0
    vd = v.double()
    state = q.new_zeros(b, h, d, dv, dtype=torch.float64)
    norm = q.new_zeros(b, h, d, dtype=torch.float64)
    outs = []
    for i in range(length):
        state = state + fk[:, :, i, :, None] * vd[:, :, i, None, :]
        norm = norm + fk[:, :, i]
        num = (fq[:, :, i, :, None] * state).sum(dim=-2)
        den = (fq[:, :, i] * norm).sum(dim=-1, keepdim=True) + eps
        outs.append(num / den)
    return torch.stack(outs, dim=2).to(q.dtype)
