# blind: wrong
# bug: adds the identity into the caller's attention tensors in place (diagonal().add_)
# family: mutation
import torch


def attention_rollout(attentions, add_residual=True):
    """attentions: list of per-layer weights [B, H, L, L] (layer 0 first) -> rollout [B, L, L]."""
    if len(attentions) == 0:
        raise ValueError("no layers")
    shape = tuple(attentions[0].shape)
    if len(shape) != 4 or shape[-1] != shape[-2]:
        raise ValueError(f"expected [B, H, L, L] maps, got {shape}")
    if any(tuple(a.shape) != shape for a in attentions):
        raise ValueError("all layers must have the same shape")
    dtype = attentions[0].dtype
    work = torch.float64 if dtype == torch.float64 else torch.float32
    rollout = None
    for layer in attentions:
        if add_residual:
            layer.diagonal(dim1=-2, dim2=-1).add_(1)
            a = layer.to(work).mean(dim=1)
            a = a / a.sum(dim=-1, keepdim=True)
        else:
            a = layer.to(work).mean(dim=1)
        rollout = a if rollout is None else a @ rollout
    return rollout.to(dtype)
