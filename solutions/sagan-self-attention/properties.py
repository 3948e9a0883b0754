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


def gamma_holds_gamma_init(call, args):
    """a block built with gamma_init holds it in gamma (shape [1]) before any weights are loaded"""
    block = call.new(channels=args["x"].shape[1], gamma_init=0.7)
    gamma = getattr(block, "gamma", None)
    if gamma is None or tuple(gamma.shape) != (1,):
        return "the block has no `gamma` parameter of shape [1]"
    if abs(float(gamma.detach().flatten()[0]) - 0.7) > 1e-6:
        return f"built with gamma_init=0.7, gamma holds {float(gamma.detach().flatten()[0]):.3g}", "gamma-init-ignored"
    return None
