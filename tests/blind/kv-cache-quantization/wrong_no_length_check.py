# blind: wrong
# bug: validation checks only 4-D and B; different Hkv or L are not rejected
# family: edge-case (validation)
import torch


def _check(k, v):
    if k.dim() != 4 or v.dim() != 4:
        raise ValueError(f"k and v must be 4-D [B, Hkv, L, D], got {tuple(k.shape)} and {tuple(v.shape)}")
    if k.shape[0] != v.shape[0]:
        raise ValueError(f"k and v must share B, Hkv and L, got {tuple(k.shape)} and {tuple(v.shape)}")


def _quantize(x, dim):
    x = x.to(torch.float32)
    amax = x.abs().amax(dim=dim, keepdim=True)
    scale = torch.where(amax > 0, amax / 127, torch.ones_like(amax))
    codes = torch.round(x / scale).clamp(-127, 127).to(torch.int8)
    return codes, scale


def quantize_kv_cache(k, v):
    _check(k, v)
    k_codes, k_scale = _quantize(k, dim=2)  # one scale per channel, over the tokens
    v_codes, v_scale = _quantize(v, dim=3)  # one scale per token, over the channels
    return k_codes, k_scale, v_codes, v_scale
