"""A freshly built block (the candidate's own initialisation) must be the identity."""

from __future__ import annotations


def identity_at_init(call, args):
    """with its default gamma, a new block returns its input unchanged"""
    x = args["x"]
    block = call.new(channels=x.shape[1])
    block.to(dtype=x.dtype, device=str(x.device))
    gamma = getattr(block, "gamma", None)
    if gamma is not None and float(gamma.detach().abs().max()) != 0.0:
        return f"gamma starts at {float(gamma.detach().flatten()[0]):.3g}, not 0", "gamma-init-nonzero"
    y = block.forward(x=x)
    err = float((y.detach() - x).abs().max())
    if not err <= 1e-12 * (1 + float(x.abs().max())):
        return f"the output differs from the input by {err:.3g} at initialisation"
    return None
