"""RoPE invariants: each returns None when the property holds, else what was observed."""

from __future__ import annotations

import torch


def _rope(call, x, positions):
    return call(x=x, positions=positions)[0].to(torch.float64)


def norms_preserved(call, args):
    """RoPE is a rotation, so it preserves the norm of every vector"""
    x, pos = args["x"], args["positions"]
    out = _rope(call, x, pos)
    err = float((out.norm(dim=-1) - x.norm(dim=-1)).abs().max())
    if err > 1e-6 * (1 + float(x.norm(dim=-1).max())):
        return f"the norm of some vector changed by {err:.3g}"
    return None


def position_zero_is_identity(call, args):
    """At position 0 every angle is 0, so RoPE leaves the vector unchanged"""
    x = args["x"]
    out = _rope(call, x, torch.zeros(x.shape[-2], dtype=torch.int64, device=x.device))
    err = float((out - x).abs().max())
    if err > 1e-6 * (1 + float(x.abs().max())):
        return f"with all positions 0 the output differs from the input by {err:.3g}"
    return None


def relative_position(call, args):
    """<rope(q, m), rope(k, n)> depends only on m - n"""
    x = args["x"].reshape(-1, args["x"].shape[-2], args["x"].shape[-1])[0]  # [L, D]
    q, k = x[0], x[-1] if x.shape[0] > 1 else x[0].flip(0)

    def score(m, n):
        pair = torch.stack([q, k])  # [2, D]: q at position m, k at position n
        out = _rope(call, pair, torch.tensor([m, n], dtype=torch.int64, device=x.device))
        return float(out[0] @ out[1])

    def tol(m, n, ref):
        # the prompt allows float32 angles: p * theta is then off by up to a few ulps of p (theta_0 = 1)
        return 1e-6 * (1 + abs(ref)) + 4 * (m + n + 1) * 2.0**-24 * float(q.norm() * k.norm())

    for offset in (5, -3):  # positions are absolute, so both stay >= 0
        m0 = 20 + max(offset, 0)
        ref = score(m0, m0 - offset)
        for m in (m0 + 7, m0 + 300, m0 + 1000):
            got = score(m, m - offset)
            if abs(got - ref) > tol(m, m - offset, ref):
                return (f"<rope(q, {m}), rope(k, {m - offset})> = {got:.6g} but <rope(q, {m0}), "
                        f"rope(k, {m0 - offset})> = {ref:.6g}; both have m - n = {offset}")
    if abs(score(7, 3) - score(7, 5)) < 1e-9:
        return "the score does not change when m - n changes: the positions are not encoded"
    return None
