"""Properties of Linformer attention."""

import math

import torch


def identity_is_full_attention(call, args):
    """With E = F = the L x L identity, Linformer is ordinary softmax attention."""
    q, k, v = args["q"], args["k"], args["v"]
    eye = torch.eye(k.shape[-2], dtype=k.dtype, device=k.device)
    got = call(q=q, k=k, v=v, e_proj=eye, f_proj=eye.clone())[0]
    want = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1) @ v
    err = float((got - want).abs().max())
    if err > 1e-6 * (1 + float(want.abs().max())):
        return f"with identity projections the output is {err:.3g} away from full attention"
    return None


def rows_of_f_average_values(call, args):
    """If every row of F sums to 1 and K is constant, the output is F V's row average for every query."""
    q, k, v = args["q"], args["k"], args["v"]
    e, f = args["e_proj"], args["f_proj"]
    f = f.abs() / f.abs().sum(-1, keepdim=True)  # each projected value is a convex mix of the values
    const_k = torch.zeros_like(k)  # all scores equal -> uniform weights over the k projected keys
    got = call(q=q, k=const_k, v=v, e_proj=e, f_proj=f)[0]
    want = (f @ v).mean(-2, keepdim=True).expand_as(got)
    err = float((got - want).abs().max())
    if err > 1e-6 * (1 + float(want.abs().max())):
        return f"with equal scores the output should be the mean of the {f.shape[0]} rows of F V; off by {err:.3g}"
    return None
