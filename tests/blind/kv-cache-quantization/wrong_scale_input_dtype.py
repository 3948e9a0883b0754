# blind: wrong
# bug: scales returned in the input dtype instead of float32
# family: dtype
import torch

QMAX = 127


def _symmetric_int8(x: torch.Tensor, reduce_dim: int) -> tuple[torch.Tensor, torch.Tensor]:
    xf = x.detach().to(dtype=torch.float32, copy=True)
    scale = xf.abs().amax(reduce_dim, keepdim=True).div_(QMAX)
    scale.masked_fill_(scale == 0, 1.0)
    q = xf.div_(scale).round_().clamp_(-QMAX, QMAX)
    return q.to(torch.int8), scale.to(x.dtype)


def quantize_kv_cache(k, v):
    if not (isinstance(k, torch.Tensor) and isinstance(v, torch.Tensor)) or k.dim() != 4 or v.dim() != 4:
        raise ValueError("expected k [B, Hkv, L, D] and v [B, Hkv, L, Dv]")
    if tuple(k.shape[:-1]) != tuple(v.shape[:-1]):
        raise ValueError(f"k {tuple(k.shape)} and v {tuple(v.shape)} differ in B, Hkv or L")
    kq, ks = _symmetric_int8(k, reduce_dim=-2)
    vq, vs = _symmetric_int8(v, reduce_dim=-1)
    return kq, ks, vq, vs
