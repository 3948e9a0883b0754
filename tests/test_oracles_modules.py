"""More references checked against PyTorch's own kernels and modules (float64, copied weights)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from grader.loader import load_file

SOL = Path(__file__).resolve().parent.parent / "solutions"


def ref(qid: str, name: str):
    return getattr(load_file(SOL / qid / "reference.py"), name)


def randn(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, dtype=torch.float64)


@pytest.mark.parametrize("hq,hkv,lq,lk", [(6, 2, 5, 7), (4, 1, 1, 9), (3, 3, 6, 6)])
def test_gqa_matches_sdpa_enable_gqa(hq: int, hkv: int, lq: int, lk: int) -> None:
    torch.manual_seed(hq * 10 + hkv)
    q, k, v = randn(2, hq, lq, 8), randn(2, hkv, lk, 8), randn(2, hkv, lk, 5)
    gqa = ref("grouped-query-attention", "grouped_query_attention")
    torch.testing.assert_close(gqa(q, k, v), F.scaled_dot_product_attention(q, k, v, enable_gqa=True))
    bottom_right = torch.ones(lq, lk, dtype=torch.bool).tril(lk - lq)
    torch.testing.assert_close(gqa(q, k, v, causal=True),
                               F.scaled_dot_product_attention(q, k, v, attn_mask=bottom_right, enable_gqa=True))


@pytest.mark.parametrize("causal,block", [(False, 4), (True, 3), (False, 64)])
def test_flash_attention_matches_sdpa_and_logsumexp(causal: bool, block: int) -> None:
    torch.manual_seed(block)
    q, k, v = randn(2, 3, 9, 8), randn(2, 3, 13, 8), randn(2, 3, 13, 6)
    out, lse = ref("flash-attention", "flash_attention")(q, k, v, causal=causal, block_size=block)
    keep = torch.ones(9, 13, dtype=torch.bool).tril(13 - 9) if causal else torch.ones(9, 13, dtype=torch.bool)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=keep))
    scores = (q @ k.transpose(-2, -1) / 8**0.5).masked_fill(~keep, float("-inf"))
    torch.testing.assert_close(lse.double(), torch.logsumexp(scores, -1))


def _copy_mha(mha: torch.nn.MultiheadAttention, module: torch.nn.Module, same_dims: bool) -> None:
    with torch.no_grad():
        if same_dims:
            wq, wk, wv = mha.in_proj_weight.chunk(3)
        else:
            wq, wk, wv = mha.q_proj_weight, mha.k_proj_weight, mha.v_proj_weight
        bq, bk, bv = mha.in_proj_bias.chunk(3)
        for name, w, b in (("q_proj", wq, bq), ("k_proj", wk, bk), ("v_proj", wv, bv),
                           ("out_proj", mha.out_proj.weight, mha.out_proj.bias)):
            getattr(module, name).weight.copy_(w)
            getattr(module, name).bias.copy_(b)


def test_self_attention_module_matches_nn_multihead_attention() -> None:
    torch.manual_seed(0)
    mha = torch.nn.MultiheadAttention(12, 3, batch_first=True).double().eval()
    mine = ref("self-attention-module", "SelfAttention")(12, 3).double()
    _copy_mha(mha, mine, same_dims=True)
    x = randn(3, 6, 12)
    real = torch.tensor([[1] * 6, [1] * 4 + [0] * 2, [1] * 1 + [0] * 5], dtype=torch.bool)
    want, _ = mha(x, x, x, key_padding_mask=~real, need_weights=False)  # nn.MultiheadAttention: True = pad
    torch.testing.assert_close(mine(x, key_padding_mask=real), want.detach())


def test_cross_attention_matches_nn_multihead_attention_with_kdim() -> None:
    torch.manual_seed(1)
    mha = torch.nn.MultiheadAttention(16, 4, kdim=10, vdim=10, batch_first=True).double().eval()
    mine = ref("cross-attention", "CrossAttention")(16, 10, 4).double()
    _copy_mha(mha, mine, same_dims=False)
    x, memory = randn(2, 5, 16), randn(2, 7, 10)
    real = torch.tensor([[1] * 7, [1] * 3 + [0] * 4], dtype=torch.bool)
    want, _ = mha(x, memory, memory, key_padding_mask=~real, need_weights=False)
    torch.testing.assert_close(mine(x, memory, memory_mask=real), want.detach())


def test_pre_norm_decoder_layer_matches_nn_transformer_decoder_layer() -> None:
    torch.manual_seed(2)
    e, h, ff = 16, 4, 32
    torch_layer = torch.nn.TransformerDecoderLayer(e, h, ff, dropout=0.0, activation="gelu", batch_first=True,
                                                   norm_first=True).double().eval()
    mine = ref("pre-norm-decoder-layer", "PreNormDecoderLayer")(e, h, ff).double()
    with torch.no_grad():
        for attn, ours in ((torch_layer.self_attn, mine.self_attn), (torch_layer.multihead_attn, mine.cross_attn)):
            _copy_mha(attn, ours, same_dims=True)
        for i in (1, 2, 3):
            getattr(mine, f"norm{i}").load_state_dict(getattr(torch_layer, f"norm{i}").state_dict())
        mine.ffn.fc1.load_state_dict(torch_layer.linear1.state_dict())
        mine.ffn.fc2.load_state_dict(torch_layer.linear2.state_dict())
    tgt, memory = randn(2, 6, e), randn(2, 9, e)
    real = torch.tensor([[1] * 9, [1] * 5 + [0] * 4], dtype=torch.bool)
    causal = torch.nn.Transformer.generate_square_subsequent_mask(6, dtype=torch.float64)
    want = torch_layer(tgt, memory, tgt_mask=causal, memory_key_padding_mask=~real)
    torch.testing.assert_close(mine(tgt, memory, memory_mask=real), want.detach())


def test_sliding_window_matches_sdpa_with_a_band_mask() -> None:
    torch.manual_seed(3)
    q, k, v = randn(2, 3, 10, 8), randn(2, 3, 10, 8), randn(2, 3, 10, 5)
    i, j = torch.arange(10).unsqueeze(1), torch.arange(10).unsqueeze(0)
    band = (j <= i) & (j > i - 4)
    got = ref("sliding-window-attention", "sliding_window_attention")(q, k, v, window=4, causal=True)
    torch.testing.assert_close(got, F.scaled_dot_product_attention(q, k, v, attn_mask=band))
