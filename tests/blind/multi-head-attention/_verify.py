"""Verify the blind2 labels of multi-head-attention against a float64 oracle (cross-checked with nn.MultiheadAttention)."""
import math
import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from _harness_blind2 import collect, compare, raises, run  # noqa: E402


def oracle(x_q, x_kv, ws, bs, H, mask):
    f = torch.float64
    B, Lq, E = x_q.shape
    D = E // H
    proj = [F.linear(x.to(f), w.to(f), None if b is None else b.to(f)) for x, w, b in
            ((x_q, ws[0], bs[0]), (x_kv, ws[1], bs[1]), (x_kv, ws[2], bs[2]))]
    q, k, v = (t.reshape(B, -1, H, D).transpose(1, 2) for t in proj)
    s = q @ k.transpose(-1, -2) / math.sqrt(D)
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else s + mask.to(f)
    a = torch.nan_to_num(torch.softmax(s, -1), nan=0.0)
    o = (a @ v).transpose(1, 2).reshape(B, Lq, E)
    return F.linear(o, ws[3].to(f), None if bs[3] is None else bs[3].to(f))


def self_test():
    torch.manual_seed(0)
    mha = torch.nn.MultiheadAttention(12, 3, batch_first=True).double()
    x, y = torch.randn(2, 5, 12).double(), torch.randn(2, 7, 12).double()
    wq, wk, wv = mha.in_proj_weight.chunk(3)
    bq, bk, bv = mha.in_proj_bias.chunk(3)
    pad = torch.tensor([[True] * 7, [True] * 4 + [False] * 3])
    ref = mha(x, y, y, key_padding_mask=~pad, need_weights=False)[0]
    mine = oracle(x, y, (wq, wk, wv, mha.out_proj.weight), (bq, bk, bv, mha.out_proj.bias), 3, pad[:, None, None])
    assert torch.allclose(ref, mine, atol=1e-12), "oracle disagrees with nn.MultiheadAttention"


def cases():
    g = torch.Generator().manual_seed(1)
    for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
        for B, Lq, Lk, E, H, bias, mkind in [
            (2, 5, 7, 12, 3, True, None), (3, 4, 4, 16, 4, False, "causal2d"), (2, 6, 3, 12, 4, True, "pad"),
            (2, 1, 5, 8, 2, True, "full4d"), (3, 5, 6, 12, 3, True, "empty"), (2, 4, 6, 12, 3, False, "float"),
            (2, 3, 5, 12, 3, True, "float_empty"), (2, 4, 5, 12, 3, True, "head3d"),
        ]:
            xq = torch.randn(B, Lq, E, generator=g).to(dtype)
            xkv = torch.randn(B, Lk, E, generator=g).to(dtype)
            ws = [(torch.randn(E, E, generator=g) / math.sqrt(E)).to(dtype) for _ in range(4)]
            bs = [(torch.randn(E, generator=g) * 0.5).to(dtype) if bias else None for _ in range(4)]
            mask = None
            if mkind == "causal2d":
                mask = torch.ones(Lq, Lk, dtype=torch.bool).tril(Lk - Lq)
            elif mkind == "pad":
                lens = torch.randint(1, Lk + 1, (B,), generator=g)
                mask = (torch.arange(Lk)[None] < lens[:, None])[:, None, None]
            elif mkind == "full4d":
                mask = torch.rand(B, H, Lq, Lk, generator=g) < 0.6
                mask[..., 0] = True
            elif mkind == "empty":
                mask = torch.rand(B, 1, Lq, Lk, generator=g) < 0.5
                mask[0, :, 1] = False
            elif mkind == "float":
                mask = torch.randn(B, 1, Lq, Lk, generator=g).to(dtype)
            elif mkind == "float_empty":
                mask = torch.zeros(Lq, Lk)
                mask[1] = float("-inf")
                mask[0, 2:] = float("-inf")
                mask = mask.to(dtype)
            elif mkind == "head3d":
                mask = torch.rand(H, 1, Lk, generator=g) < 0.7
                mask[..., -1] = True
            yield f"{dtype} B{B} Lq{Lq} Lk{Lk} E{E} H{H} bias={bias} mask={mkind}", dtype, xq, xkv, ws, bs, H, mask


def check(fn):
    problems = []
    for name, dtype, xq, xkv, ws, bs, H, mask in cases():
        before = [t.clone() for t in (xq, xkv, *ws)]
        try:
            out = fn(xq, xkv, *ws, H, *bs, mask=mask)
        except Exception as e:  # noqa: BLE001
            if collect(problems, f"{name}: raised {type(e).__name__}: {e}"):
                return problems
            continue
        if collect(problems, compare(out, oracle(xq, xkv, ws, bs, H, mask), dtype, name)):
            return problems
        if not all(torch.equal(a, b) for a, b in zip(before, (xq, xkv, *ws))):
            collect(problems, f"{name}: inputs modified")
    x = torch.randn(2, 3, 10)
    w = torch.randn(10, 10)
    collect(problems, raises(fn, ValueError, "E=10, num_heads=3", x, x, w, w, w, w, 3), limit=99)
    return problems


if __name__ == "__main__":
    self_test()
    sys.exit(run(pathlib.Path(__file__).parent, "multi_head_attention", check, sys.argv[1:]))
