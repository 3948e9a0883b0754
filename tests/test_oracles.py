"""The references agree with PyTorch's own kernels, so grading against them is grading against torch."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from grader.loader import load_file

SOL = Path(__file__).resolve().parent.parent / "solutions"


def ref(qid: str, name: str):
    return getattr(load_file(SOL / qid / "reference.py"), name)


@pytest.mark.parametrize("seed", range(6))
def test_sdpa_matches_torch(seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    b, h, lq, lk, d, dv = (int(x) for x in torch.randint(1, 9, (6,), generator=g))
    q, k = torch.randn(b, h, lq, d, generator=g, dtype=torch.float64), torch.randn(b, h, lk, d, generator=g,
                                                                                  dtype=torch.float64)
    v = torch.randn(b, h, lk, dv, generator=g, dtype=torch.float64)
    keep = torch.rand(b, 1, lq, lk, generator=g) < 0.6
    keep[..., 0, :] = False  # a fully masked row: PyTorch >= 2.5 returns zeros there too
    bias = torch.randn(lq, lk, generator=g, dtype=torch.float64)
    sdpa = ref("sdpa", "scaled_dot_product_attention")
    for mask in (None, keep, bias):
        want = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        torch.testing.assert_close(sdpa(q, k, v, mask=mask), want, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(sdpa(q, k, v, scale=0.3), F.scaled_dot_product_attention(q, k, v, scale=0.3))


@pytest.mark.parametrize("lq,lk", [(6, 6), (1, 9), (3, 8)])
def test_causal_matches_torch_with_bottom_right_mask(lq: int, lk: int) -> None:
    g = torch.Generator().manual_seed(lq * 100 + lk)
    q = torch.randn(2, 3, lq, 8, generator=g, dtype=torch.float64)
    k, v = (torch.randn(2, 3, lk, 8, generator=g, dtype=torch.float64) for _ in range(2))
    got = ref("causal-attention", "causal_attention")(q, k, v)
    bottom_right = torch.ones(lq, lk, dtype=torch.bool).tril(lk - lq)
    torch.testing.assert_close(got, F.scaled_dot_product_attention(q, k, v, attn_mask=bottom_right))
    if lq == lk:  # only then does PyTorch's top-left is_causal agree
        torch.testing.assert_close(got, F.scaled_dot_product_attention(q, k, v, is_causal=True))
    else:
        assert not torch.allclose(got, F.scaled_dot_product_attention(q, k, v, is_causal=True))


@pytest.mark.parametrize("heads,bias,lq,lk", [(3, True, 5, 7), (1, False, 4, 4), (4, True, 1, 6)])
def test_mha_matches_nn_multihead_attention(heads: int, bias: bool, lq: int, lk: int) -> None:
    torch.manual_seed(heads)
    e = 12
    mha = torch.nn.MultiheadAttention(e, heads, bias=bias, batch_first=True).double().eval()
    x_q, x_kv = torch.randn(2, lq, e, dtype=torch.float64), torch.randn(2, lk, e, dtype=torch.float64)
    keep = torch.rand(2, heads, lq, lk) < 0.7
    keep[..., 0] = True  # nn.MultiheadAttention returns NaN on fully masked rows: keep one key per row
    w_q, w_k, w_v = mha.in_proj_weight.chunk(3)
    biases = dict(zip(("b_q", "b_k", "b_v"), mha.in_proj_bias.chunk(3))) if bias else {}
    if bias:
        biases["b_o"] = mha.out_proj.bias
    got = ref("multi-head-attention", "multi_head_attention")(
        x_q, x_kv, w_q, w_k, w_v, mha.out_proj.weight, heads, mask=keep, **biases)
    # nn.MultiheadAttention: attn_mask True = blocked, shape [B * H, Lq, Lk]
    want, _ = mha(x_q, x_kv, x_kv, attn_mask=~keep.reshape(2 * heads, lq, lk), need_weights=False)
    torch.testing.assert_close(got, want.detach())


def test_mha_fully_masked_row_is_output_bias() -> None:
    torch.manual_seed(0)
    e, heads = 8, 2
    x = torch.randn(1, 3, e, dtype=torch.float64)
    ws = [torch.randn(e, e, dtype=torch.float64) for _ in range(4)]
    b_o = torch.randn(e, dtype=torch.float64)
    keep = torch.ones(1, 1, 3, 3, dtype=torch.bool)
    keep[..., 1, :] = False
    out = ref("multi-head-attention", "multi_head_attention")(x, x, *ws, heads, b_o=b_o, mask=keep)
    torch.testing.assert_close(out[0, 1], b_o)
