"""Node relabelling: a GAT layer is equivariant to permuting the nodes (features and both axes of adj)."""

import torch


def relabelling_permutes_output(call, args):
    """Renumbering the nodes renumbers the output rows the same way."""
    h, adj = args["h"], args["adj"]
    gen = torch.Generator().manual_seed(11)
    perm = torch.randperm(h.shape[0], generator=gen).to(h.device)
    (base,) = call(h=h, adj=adj)
    (moved,) = call(h=h[perm], adj=adj[perm][:, perm])
    err = float((moved - base[perm]).abs().max())
    if err > 1e-8 * (1 + float(base.abs().max())):
        return f"after renumbering the nodes the output differs from the renumbered output by {err:.3g}"
    return None
