# blind: wrong
# bug: "fixes" rows with no allowed key by letting them attend to key 0 (the prompt says leave them all False)
# family: other
import torch


def build_attention_mask(key_padding_mask, lq, causal, q_offset=None):
    """key_padding_mask bool [B, Lk] (True = PAD) -> bool [B, 1, Lq, Lk] (True = may attend)."""
    b, lk = key_padding_mask.shape
    allowed = ~key_padding_mask.bool()[:, None, None, :]  # [B, 1, 1, Lk]
    if not causal:
        return allowed.expand(b, 1, lq, lk).clone()
    o = lk - lq if q_offset is None else q_offset
    if o < 0 or o + lq > lk:
        raise ValueError(f"q_offset={o} with lq={lq} does not fit in lk={lk}")
    dev = key_padding_mask.device
    visible = torch.arange(lk, device=dev)[None, :] <= torch.arange(lq, device=dev)[:, None] + o
    mask = allowed & visible[None, None]
    empty = ~mask.any(dim=-1, keepdim=True)
    first = torch.zeros_like(mask)
    first[..., 0] = True
    return mask | (empty & first)
