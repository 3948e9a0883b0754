"""Verify the blind2 labels of self-attention-module: exact state-dict names, float64 oracle on loaded weights."""
import math
import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from _harness_blind2 import collect, compare, run  # noqa: E402

NAMES = [f"{p}.{t}" for p in ("q_proj", "k_proj", "v_proj", "out_proj") for t in ("weight", "bias")]


def oracle(sd, H, x, real):
    sd = {k: v.double() for k, v in sd.items()}
    B, L, E = x.shape
    q, k, v = (F.linear(x.double(), sd[f"{p}.weight"], sd[f"{p}.bias"]).view(B, L, H, E // H).transpose(1, 2)
               for p in ("q_proj", "k_proj", "v_proj"))
    s = q @ k.transpose(-1, -2) / math.sqrt(E // H)
    if real is not None:
        s = s.masked_fill(~real[:, None, None, :], float("-inf"))
    o = (torch.nan_to_num(torch.softmax(s, -1), nan=0.0) @ v).transpose(1, 2).reshape(B, L, E)
    return F.linear(o, sd["out_proj.weight"], sd["out_proj.bias"])


def check(cls):
    problems = []
    try:
        got = list(cls(12, 3).state_dict())
    except Exception as e:  # noqa: BLE001
        return [f"constructor raised {type(e).__name__}: {e}"]
    if sorted(got) != sorted(NAMES):
        return [f"state dict keys {got}, expected exactly {NAMES}"]
    g = torch.Generator().manual_seed(10)
    for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
        for B, L, E, H, pad in [(2, 5, 12, 3, None), (3, 6, 16, 4, "right"), (4, 1, 8, 2, None), (2, 7, 12, 4, "left"),
                                (3, 5, 12, 3, "allpad"), (3, 4, 12, 3, "right")]:
            name = f"{dtype} B{B} L{L} E{E} H{H} pad={pad}"
            sd = {n: torch.randn((E, E) if n.endswith("weight") else (E,), generator=g) / (math.sqrt(E) if
                  n.endswith("weight") else 2) for n in NAMES}
            x = torch.randn(B, L, E, generator=g).to(dtype)
            real = None
            if pad:
                lens = torch.randint(1, L + 1, (B,), generator=g)
                pos = torch.arange(L)[None]
                real = pos < lens[:, None] if pad != "left" else pos >= (L - lens)[:, None]
                if pad == "allpad":
                    real[1] = False
            try:
                mod = cls(E, H)
                mod.load_state_dict({k: v.clone() for k, v in sd.items()})
                mod = mod.to(dtype)
                with torch.no_grad():
                    out = mod(x, key_padding_mask=real)
            except Exception as e:  # noqa: BLE001
                if collect(problems, f"{name}: raised {type(e).__name__}: {e}"):
                    return problems
                continue
            ref = oracle({k: v.to(dtype) for k, v in sd.items()}, H, x, real)
            if collect(problems, compare(out, ref, dtype, name)):
                return problems
    return problems


if __name__ == "__main__":
    sys.exit(run(pathlib.Path(__file__).parent, "SelfAttention", check, sys.argv[1:]))
