"""Not allowed: the right numbers, but computed with autograd (the question forbids it)."""

from __future__ import annotations

import math

import torch


def attention_backward(q, k, v, dout, scale=None):
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    with torch.enable_grad():
        q_, k_, v_ = (t.detach().requires_grad_(True) for t in (q, k, v))
        out = torch.softmax(q_ @ k_.transpose(-2, -1) * scale, dim=-1) @ v_
        dq, dk, dv = torch.autograd.grad(out, (q_, k_, v_), dout)
    return dq, dk, dv
