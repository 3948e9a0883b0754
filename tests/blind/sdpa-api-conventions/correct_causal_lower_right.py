# blind: correct
import torch
import torch.nn.functional as F
from torch.nn.attention.bias import causal_lower_right


def attention_with_sdpa(q, k, v, key_padding_mask=None, causal=False):
    """PyTorch's lower-right CausalBias when there is no padding; otherwise one bool mask."""
    Lq, Lk = q.size(-2), k.size(-2)
    if key_padding_mask is None:
        mask = causal_lower_right(Lq, Lk) if causal else None
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    may_attend = (~key_padding_mask).unsqueeze(1).unsqueeze(2)
    if causal:
        may_attend = may_attend & torch.ones(Lq, Lk, dtype=torch.bool, device=q.device).tril(Lk - Lq)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=may_attend)
    return out * may_attend.any(-1, keepdim=True)
