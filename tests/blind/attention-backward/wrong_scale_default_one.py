# blind: wrong
# bug: scale defaults to 1 when None
# family: scale

import torch


def attention_backward(q, k, v, dout, scale=None):
    """Gradients of out = softmax(q @ k^T * scale) @ v, without autograd."""
    if scale is None:
        scale = 1.0
    work = torch.float32 if q.dtype in (torch.float16, torch.bfloat16) else q.dtype
    qw, kw, vw, dw = (t.to(work) for t in (q, k, v, dout))
    p = torch.softmax((qw @ kw.transpose(-2, -1)) * scale, dim=-1)  # [B, H, Lq, Lk]
    dv = p.transpose(-2, -1) @ dw
    dp = dw @ vw.transpose(-2, -1)
    ds = p * (dp - (p * dp).sum(dim=-1, keepdim=True))
    dq = (ds @ kw) * scale
    dk = (ds.transpose(-2, -1) @ qw) * scale
    return dq.to(q.dtype), dk.to(q.dtype), dv.to(q.dtype)
