"""References of the application questions checked against PyTorch's own pieces (float64, copied weights)."""

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


def test_location_sensitive_without_location_is_additive_attention() -> None:
    torch.manual_seed(0)
    attn = ref("location-sensitive-attention", "LocationSensitiveAttention")(5, 6, 8, 4, 3).double()
    with torch.no_grad():
        attn.location_conv.weight.zero_()
    query, memory, cum = randn(3, 5), randn(3, 7, 6), randn(3, 7).softmax(-1)
    mask = torch.tensor([[1] * 7, [1] * 4 + [0] * 3, [1] * 2 + [0] * 5], dtype=torch.bool)
    context, weights = attn(query, memory, cum, mask)
    additive = ref("additive-attention", "additive_attention")
    want_ctx, want_w = additive(query, memory, memory, attn.query_layer.weight, attn.memory_layer.weight,
                                attn.v.weight[0], mask)
    torch.testing.assert_close(context, want_ctx.detach())
    torch.testing.assert_close(weights, want_w.detach())


def test_location_term_is_a_same_padded_conv1d_of_the_cumulative_weights() -> None:
    torch.manual_seed(1)
    attn = ref("location-sensitive-attention", "LocationSensitiveAttention")(4, 4, 6, 3, 5).double()
    query, memory, cum = randn(2, 4), randn(2, 9, 4), randn(2, 9).abs()
    _, weights = attn(query, memory, cum)
    feats = F.conv1d(cum[:, None, :], attn.location_conv.weight, padding=2).transpose(1, 2)  # [B, T, F]
    e = torch.tanh((query @ attn.query_layer.weight.T)[:, None, :] + memory @ attn.memory_layer.weight.T
                   + feats @ attn.location_layer.weight.T) @ attn.v.weight[0]
    torch.testing.assert_close(weights, e.softmax(-1).detach())


@pytest.mark.parametrize("t,chunk,left", [(10, 3, 1), (12, 4, -1), (9, 2, 0), (7, 8, 2)])
def test_chunk_mask_equals_streaming_chunk_by_chunk_with_a_bounded_cache(t: int, chunk: int, left: int) -> None:
    torch.manual_seed(t + chunk)
    q, k, v = randn(2, 3, t, 8), randn(2, 3, t, 8), randn(2, 3, t, 5)
    mask = ref("chunked-streaming-mask", "chunk_causal_mask")(t, chunk, left)
    full = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    parts = []
    for start in range(0, t, chunk):  # what a streaming encoder does: one chunk of queries at a time
        end = min(t, start + chunk)
        lo = 0 if left < 0 else max(0, start - left * chunk)
        parts.append(F.scaled_dot_product_attention(q[..., start:end, :], k[..., lo:end, :], v[..., lo:end, :]))
    torch.testing.assert_close(full, torch.cat(parts, dim=-2))


def test_chunk_mask_equals_flex_attention_create_mask() -> None:
    from torch.nn.attention.flex_attention import create_mask

    t, chunk, left = 11, 3, 1

    def mask_mod(b, h, q_idx, kv_idx):
        qc, kc = q_idx // chunk, kv_idx // chunk
        return (kc <= qc) & (kc >= qc - left)

    want = create_mask(mask_mod, 1, 1, t, t, device="cpu")[0, 0]
    torch.testing.assert_close(ref("chunked-streaming-mask", "chunk_causal_mask")(t, chunk, left), want)


def test_temporal_attention_query_is_the_lstm_state_of_each_series_alone() -> None:
    torch.manual_seed(2)
    model = ref("temporal-attention", "TemporalAttentionForecaster")(3, 6, 2, num_layers=2).double()
    x = randn(3, 8, 3)
    lengths = [8, 3, 5]
    mask = torch.arange(8)[None, :] < torch.tensor(lengths)[:, None]
    y, weights = model(x, mask)
    for b, n in enumerate(lengths):  # nn.LSTM on the observed prefix only, no padding anywhere
        states, (h_n, _) = model.lstm(x[b:b + 1, :n])
        q = h_n[-1, 0]
        w = (model.attn(states[0]) @ q).softmax(-1)
        want = model.head(torch.cat([w @ states[0], q]))
        torch.testing.assert_close(y[b], want.detach())
        torch.testing.assert_close(weights[b, :n], w.detach())
        assert torch.all(weights[b, n:] == 0)


def test_entity_self_attention_matches_nn_multihead_attention_and_a_masked_mean() -> None:
    torch.manual_seed(3)
    mha = torch.nn.MultiheadAttention(12, 3, batch_first=True).double().eval()
    mine = ref("entity-self-attention", "EntitySelfAttention")(12, 3).double()
    with torch.no_grad():
        for name, w, b in zip(("q_proj", "k_proj", "v_proj"), mha.in_proj_weight.chunk(3), mha.in_proj_bias.chunk(3)):
            getattr(mine, name).weight.copy_(w)
            getattr(mine, name).bias.copy_(b)
        mine.out_proj.weight.copy_(mha.out_proj.weight)
        mine.out_proj.bias.copy_(mha.out_proj.bias)
    x = randn(3, 6, 12)
    present = torch.tensor([[1, 0, 1, 1, 0, 1], [0, 0, 0, 1, 0, 0], [1] * 6], dtype=torch.bool)
    y, _ = mha(x, x, x, key_padding_mask=~present, need_weights=False)  # nn.MultiheadAttention: True = ignore
    want = (y * present[..., None]).sum(1) / present.sum(1, keepdim=True)
    torch.testing.assert_close(mine(x, present), want.detach())
