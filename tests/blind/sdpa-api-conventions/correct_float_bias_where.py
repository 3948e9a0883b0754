# blind: correct
import torch
import torch.nn.functional as F


def attention_with_sdpa(q, k, v, key_padding_mask=None, causal=False):
    """Additive float mask (0 / -inf) in q's dtype; rows with no allowed key set to zero with torch.where."""
    B, _, Lq, _ = q.shape
    Lk = k.shape[-2]
    allowed = torch.ones(B, 1, Lq, Lk, dtype=torch.bool, device=q.device)
    if key_padding_mask is not None:
        allowed = allowed & key_padding_mask.logical_not().view(B, 1, 1, Lk)
    if causal:
        qpos = torch.arange(Lq, device=q.device).view(Lq, 1) + (Lk - Lq)
        kpos = torch.arange(Lk, device=q.device).view(1, Lk)
        allowed = allowed & (kpos <= qpos)
    bias = torch.zeros(allowed.shape, dtype=q.dtype, device=q.device).masked_fill(~allowed, float("-inf"))
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
    has_key = allowed.any(dim=-1, keepdim=True)
    return torch.where(has_key, out, torch.zeros((), dtype=out.dtype, device=out.device))
