# blind: correct
# family: loops
import torch


def quantize_kv_cache(k, v):
    """Quantise each (batch, head) slice separately, as a per-slice kernel would."""
    if k.ndim != 4 or v.ndim != 4:
        raise ValueError("quantize_kv_cache: k and v must be 4-D")
    bsz, heads, length, dim = k.shape
    if v.shape[0] != bsz or v.shape[1] != heads or v.shape[2] != length:
        raise ValueError("quantize_kv_cache: k and v must have the same B, Hkv and L")
    dv = v.shape[3]
    dev = k.device
    k_codes = torch.empty(bsz, heads, length, dim, dtype=torch.int8, device=dev)
    v_codes = torch.empty(bsz, heads, length, dv, dtype=torch.int8, device=dev)
    k_scale = torch.empty(bsz, heads, 1, dim, dtype=torch.float32, device=dev)
    v_scale = torch.empty(bsz, heads, length, 1, dtype=torch.float32, device=dev)
    for b in range(bsz):
        for h in range(heads):
            ks = k[b, h].float()  # [L, D]
            s = ks.abs().max(dim=0).values / 127.0
            s[s == 0] = 1.0
            k_scale[b, h, 0] = s
            k_codes[b, h] = torch.clamp(torch.round(ks / s), -127, 127).to(torch.int8)
            vs = v[b, h].float()  # [L, Dv]
            t = vs.abs().max(dim=1).values / 127.0
            t[t == 0] = 1.0
            v_scale[b, h, :, 0] = t
            v_codes[b, h] = torch.clamp(torch.round(vs / t[:, None]), -127, 127).to(torch.int8)
    return k_codes, k_scale, v_codes, v_scale
