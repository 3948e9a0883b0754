"""Invariants of attention rollout, checked on the candidate's own outputs."""

from __future__ import annotations

import torch


def rows_are_distributions(call, args):
    """With row-stochastic inputs (and the residual), every row of the rollout sums to 1."""
    (out,) = call(attentions=args["attentions"], add_residual=True)
    err = float((out.sum(-1) - 1).abs().max())
    if err > 1e-9:
        return f"rows of the rollout sum to 1 ± {err:.3g}"
    return None


def token_relabelling(call, args):
    """Renumbering the tokens (rows and columns of every layer) renumbers the rollout the same way."""
    layers = args["attentions"]
    n = layers[0].shape[-1]
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(7)).to(layers[0].device)
    (base,) = call(attentions=layers, add_residual=True)
    (moved,) = call(attentions=[a[..., perm, :][..., :, perm] for a in layers], add_residual=True)
    err = float((moved - base[..., perm, :][..., :, perm]).abs().max())
    if err > 1e-9:
        return f"after permuting the tokens the rollout is off by {err:.3g} from the permuted rollout"
    return None
