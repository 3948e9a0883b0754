"""A freshly built block (the candidate's own initialisation) must leave the language model's stream unchanged."""

from __future__ import annotations


def identity_at_init(call, args):
    """with its default gates, a new block returns its text input unchanged"""
    x, visual = args["x"], args["visual"]
    block = call.new(d_model=x.shape[-1], d_visual=visual.shape[-1], num_heads=2)
    block.to(dtype=x.dtype, device=str(x.device))
    for name in ("attn_gate", "ff_gate"):
        gate = getattr(block, name, None)
        if gate is not None and float(gate.detach().abs().max()) != 0.0:
            return f"`{name}` starts at {float(gate.detach().flatten()[0]):.3g}, not 0", "gate-init-nonzero"
    y = block.forward(x=x, visual=visual, visual_mask=args.get("visual_mask"))
    err = float((y.detach() - x).abs().max())
    if not err <= 1e-12 * (1 + float(x.abs().max())):
        return f"the output differs from the text input by {err:.3g} at initialisation"
    return None
