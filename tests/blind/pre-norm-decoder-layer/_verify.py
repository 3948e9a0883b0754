"""Verify the blind2 labels of pre-norm-decoder-layer against a float64 functional oracle on loaded weights."""
import math
import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from _harness_blind2 import collect, compare, run  # noqa: E402


def names(E, F_):
    shapes = {}
    for n in ("norm1", "norm2", "norm3"):
        shapes[f"{n}.weight"], shapes[f"{n}.bias"] = (E,), (E,)
    for a in ("self_attn", "cross_attn"):
        for p in ("q_proj", "k_proj", "v_proj", "out_proj"):
            shapes[f"{a}.{p}.weight"], shapes[f"{a}.{p}.bias"] = (E, E), (E,)
    shapes["ffn.fc1.weight"], shapes["ffn.fc1.bias"] = (F_, E), (F_,)
    shapes["ffn.fc2.weight"], shapes["ffn.fc2.bias"] = (E, F_), (E,)
    return shapes


def random_state(E, F_, g):
    sd = {}
    for n, shape in names(E, F_).items():
        if n.startswith("norm"):
            sd[n] = (1.0 if n.endswith("weight") else 0.0) + 0.3 * torch.randn(shape, generator=g)
        else:
            sd[n] = torch.randn(shape, generator=g) / math.sqrt(shape[-1] if len(shape) == 2 else 4)
    return sd


def oracle(sd, H, tgt, memory, memory_mask):
    sd = {k: v.double() for k, v in sd.items()}
    x, mem = tgt.double(), memory.double()
    E = x.shape[-1]

    def ln(n, t):
        return F.layer_norm(t, (E,), sd[f"{n}.weight"], sd[f"{n}.bias"])

    def lin(n, t):
        return F.linear(t, sd[f"{n}.weight"], sd[f"{n}.bias"])

    def attn(a, xq, xkv, keep):
        B, Lq, _ = xq.shape
        q, k, v = (lin(f"{a}.{p}", t).reshape(B, t.shape[1], H, E // H).transpose(1, 2)
                   for p, t in (("q_proj", xq), ("k_proj", xkv), ("v_proj", xkv)))
        s = (q @ k.transpose(-1, -2) / math.sqrt(E // H)).masked_fill(~keep, float("-inf"))
        w = torch.nan_to_num(torch.softmax(s, -1), nan=0.0)
        return lin(f"{a}.out_proj", (w @ v).transpose(1, 2).reshape(B, Lq, E))

    Lt = x.shape[1]
    causal = torch.ones(Lt, Lt, dtype=torch.bool).tril()
    keep = torch.ones(mem.shape[:2], dtype=torch.bool) if memory_mask is None else memory_mask
    h = ln("norm1", x)
    x = x + attn("self_attn", h, h, causal)
    x = x + attn("cross_attn", ln("norm2", x), mem, keep[:, None, None, :])
    return x + lin("ffn.fc2", F.gelu(lin("ffn.fc1", ln("norm3", x))))


def check(cls):
    problems = []
    g = torch.Generator().manual_seed(4)
    try:
        got = set(cls(12, 3, 20).state_dict())
    except Exception as e:  # noqa: BLE001
        return [f"constructor raised {type(e).__name__}: {e}"]
    if got != set(names(12, 20)):
        problems.append(f"state dict names differ: extra {sorted(got - set(names(12, 20)))}, "
                        f"missing {sorted(set(names(12, 20)) - got)}")
        return problems
    for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
        for B, Lt, Ls, E, H, F_, mkind in [(2, 5, 7, 12, 3, 20, None), (3, 4, 6, 16, 4, 24, "pad"),
                                           (2, 1, 3, 8, 2, 16, "pad"), (3, 6, 4, 12, 3, 20, "empty")]:
            name = f"{dtype} B{B} Lt{Lt} Ls{Ls} E{E} H{H} mask={mkind}"
            sd = random_state(E, F_, g)
            tgt = torch.randn(B, Lt, E, generator=g).to(dtype)
            memory = torch.randn(B, Ls, E, generator=g).to(dtype)
            mask = None
            if mkind:
                lens = torch.randint(1, Ls + 1, (B,), generator=g)
                if mkind == "empty":
                    lens[1] = 0
                mask = torch.arange(Ls)[None] < lens[:, None]
            try:
                layer = cls(E, H, F_)
                layer.load_state_dict({k: v.clone() for k, v in sd.items()})
                layer = layer.to(dtype).eval()
                with torch.no_grad():
                    out = layer(tgt, memory, memory_mask=mask)
            except Exception as e:  # noqa: BLE001
                if collect(problems, f"{name}: raised {type(e).__name__}: {e}"):
                    return problems
                continue
            ref = oracle({k: v.to(dtype) for k, v in sd.items()}, H, tgt, memory, mask)
            if collect(problems, compare(out, ref, dtype, name)):
                return problems
    return problems


if __name__ == "__main__":
    sys.exit(run(pathlib.Path(__file__).parent, "PreNormDecoderLayer", check, sys.argv[1:]))
