# blind: correct
# family: other
import torch
import torch.nn.functional as F


def causal_linear_attention(q, k, v, eps=1e-6, chunk=16):
    """Chunked form: a C x C causal product inside each chunk plus the state carried from earlier chunks."""
    work = torch.float64 if q.dtype == torch.float64 else torch.float32
    fq, fk, vv = F.elu(q.to(work)) + 1, F.elu(k.to(work)) + 1, v.to(work)
    b, h, length, d = q.shape
    state = torch.zeros(b, h, d, v.shape[-1], dtype=work, device=q.device)
    norm = torch.zeros(b, h, d, dtype=work, device=q.device)
    pieces = []
    for s in range(0, length, chunk):
        e = min(s + chunk, length)
        cq, ck, cv = fq[:, :, s:e], fk[:, :, s:e], vv[:, :, s:e]
        tri = torch.ones(e - s, e - s, dtype=torch.bool, device=q.device).tril()
        local = (cq @ ck.transpose(-2, -1)) * tri
        num = local @ cv + cq @ state
        den = local.sum(dim=-1, keepdim=True) + cq @ norm[..., None] + eps
        pieces.append(num / den)
        state = state + ck.transpose(-2, -1) @ cv
        norm = norm + ck.sum(dim=2)
    return torch.cat(pieces, dim=2).to(q.dtype)
