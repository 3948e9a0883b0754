# blind: wrong
# bug: gets the gradients from torch.autograd.grad (forbidden by the prompt)
# family: other
import math

import torch


def attention_backward(q, k, v, dout, scale=None):
    """Gradients of out = softmax(q @ k^T * scale) @ v, without autograd."""
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    work = torch.float32 if q.dtype in (torch.float16, torch.bfloat16) else q.dtype
    qw, kw, vw, dw = (t.to(work) for t in (q, k, v, dout))
    with torch.enable_grad():
        qg, kg, vg = (t.detach().requires_grad_() for t in (qw, kw, vw))
        out = torch.softmax((qg @ kg.transpose(-2, -1)) * scale, dim=-1) @ vg
        dq, dk, dv = torch.autograd.grad(out, (qg, kg, vg), dw)
    return dq.to(q.dtype), dk.to(q.dtype), dv.to(q.dtype)
