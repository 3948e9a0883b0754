"""Invariants of the ALiBi bias, checked on the candidate's own outputs."""

from __future__ import annotations

import torch


def diagonal_zero(call, args):
    """A query's bias towards its own position is 0 (ALiBi penalises distance only)."""
    for h, lq, lk in [(8, 3, 7), (6, 4, 4)]:
        (bias,) = call(num_heads=h, lq=lq, lk=lk, device=args["device"], dtype=args["dtype"])
        own = bias[:, torch.arange(lq), torch.arange(lq) + lk - lq]  # [H, Lq]
        if own.abs().max() > 0:
            return f"num_heads={h}, lq={lq}, lk={lk}: bias at the query's own position is {float(own.abs().max()):.3g}, not 0"
    return None


def linear_in_distance(call, args):
    """Along a row, the bias changes by the same amount (the head's slope) per key step."""
    (bias,) = call(num_heads=5, lq=3, lk=8, device=args["device"], dtype=args["dtype"])
    steps = bias[..., 1:] - bias[..., :-1]  # [H, Lq, Lk - 1]
    spread = (steps - steps[..., :1]).abs().max()
    if spread > 1e-9:
        return f"the step between neighbouring keys varies by {float(spread):.3g} within a row"
    return None


def slopes_geometric(call, args):
    """For a power-of-two head count H, the slopes are 2^(-8/H), 2^(-16/H), ..., 2^(-8)."""
    for h in (4, 8, 16):
        (bias,) = call(num_heads=h, lq=1, lk=2, device=args["device"], dtype=args["dtype"])
        slopes = bias[:, 0, 1] - bias[:, 0, 0]  # one step of distance = the slope
        want = torch.tensor([2.0 ** (-8.0 * (i + 1) / h) for i in range(h)], dtype=torch.float64)
        err = (slopes.double().cpu() - want).abs().max()
        if err > 1e-6:
            return f"num_heads={h}: slopes {[round(float(s), 5) for s in slopes]}, expected {[round(float(s), 5) for s in want]}"
    return None
