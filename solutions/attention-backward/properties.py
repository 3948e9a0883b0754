"""The oracle behind the question: PyTorch autograd in float64 (trusted code, not the candidate's)."""

from __future__ import annotations

import math

import torch


def matches_autograd(call, args):
    """dq, dk, dv equal autograd's gradients of softmax(q k^T * scale) v in float64."""
    q, k, v, dout = (args[n] for n in ("q", "k", "v", "dout"))
    scale = args.get("scale")
    got = call(**args)
    s = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    with torch.enable_grad():
        leaves = [t.detach().double().requires_grad_(True) for t in (q, k, v)]
        out = torch.softmax(leaves[0] @ leaves[1].transpose(-2, -1) * s, dim=-1) @ leaves[2]
        want = torch.autograd.grad(out, leaves, dout.double())
    for name, g, w in zip(("dq", "dk", "dv"), got, want):
        err = float((g.double() - w).abs().max())
        if err > 1e-8 * (1 + float(w.abs().max())):
            return f"{name} differs from autograd by {err:.3g}"
    return None


def ds_rows_sum_to_zero(call, args):
    """Adding a constant to every score of a row changes nothing, so sum_j dS_ij = 0: dq is unchanged when
    the same vector is added to every key."""
    got = call(**args)
    shifted = dict(args, k=args["k"] + torch.randn(args["k"].shape[-1], dtype=args["k"].dtype,
                                                        generator=torch.Generator().manual_seed(5)).to(args["k"].device))
    moved = call(**shifted)
    err = float((moved[0] - got[0]).abs().max())
    if err > 1e-8 * (1 + float(got[0].abs().max())):
        return f"dq changed by {err:.3g} when one vector was added to every key (rows of dS must sum to 0)"
    return None
