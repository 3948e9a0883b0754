# blind: wrong
# bug: no ValueError when the offset puts queries outside the keys
# family: raises
import torch


def build_attention_mask(key_padding_mask, lq, causal, q_offset=None):
    """key_padding_mask bool [B, Lk] (True = PAD) -> bool [B, 1, Lq, Lk] (True = may attend)."""
    b, lk = key_padding_mask.shape
    allowed = ~key_padding_mask.bool()[:, None, None, :]  # [B, 1, 1, Lk]
    if not causal:
        return allowed.expand(b, 1, lq, lk).clone()
    o = lk - lq if q_offset is None else q_offset
    o = int(o)
    dev = key_padding_mask.device
    visible = torch.arange(lk, device=dev)[None, :] <= torch.arange(lq, device=dev)[:, None] + o
    return allowed & visible[None, None]
