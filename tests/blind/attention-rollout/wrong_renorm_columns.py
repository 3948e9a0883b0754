# blind: wrong
# bug: renormalises the columns (sum over dim=-2) instead of the rows
# family: softmax-axis
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
    length = shape[-1]
    eye = torch.eye(length, dtype=work, device=attentions[0].device)
    rollout = None
    for layer in attentions:
        a = layer.to(work).mean(dim=1)
        if add_residual:
            a = a + eye
            a = a / a.sum(dim=-2, keepdim=True)
        rollout = a if rollout is None else a @ rollout
    return rollout.to(dtype)
