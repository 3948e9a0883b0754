"""The NLP-task and packing references agree with PyTorch's own kernels (float64)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_mask

from grader.loader import load_file

SOL = Path(__file__).resolve().parent.parent / "solutions"


def ref(qid: str, name: str):
    return getattr(load_file(SOL / qid / "reference.py"), name)


def randn(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, dtype=torch.float64)


@pytest.mark.parametrize("bounds,total", [([0, 3, 5, 9], None), ([0, 2, 2, 6, 7], 10), ([0, 5], 5)])
def test_packed_attention_equals_each_document_alone(bounds: list[int], total: int | None) -> None:
    torch.manual_seed(len(bounds))
    cu = torch.tensor(bounds, dtype=torch.int32)
    mask, positions = ref("packed-document-mask", "packed_document_mask")(cu, total)
    t = mask.shape[-1]
    q, k, v = randn(1, 3, t, 8), randn(1, 3, t, 8), randn(1, 3, t, 5)
    packed = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    for start, end in zip(bounds, bounds[1:]):
        alone = F.scaled_dot_product_attention(q[..., start:end, :], k[..., start:end, :], v[..., start:end, :],
                                               is_causal=True)
        torch.testing.assert_close(packed[..., start:end, :], alone)
        assert positions[start:end].tolist() == list(range(end - start))
    assert not packed[..., bounds[-1]:, :].any()  # padding rows have no key: SDPA gives zeros


def test_packed_mask_matches_flex_attention_document_mask_mod() -> None:
    cu = torch.tensor([0, 4, 5, 9, 12])
    doc = torch.repeat_interleave(torch.arange(4), torch.diff(cu))

    def causal_document(b, h, q_idx, kv_idx):
        return (doc[q_idx] == doc[kv_idx]) & (kv_idx <= q_idx)

    want = create_mask(causal_document, 1, 1, 12, 12, device="cpu")[0, 0]
    mask, _ = ref("packed-document-mask", "packed_document_mask")(cu)
    assert torch.equal(mask, want)


def test_prefix_lm_mask_matches_flex_attention_and_its_limits() -> None:
    prefix, lengths = torch.tensor([0, 3, 6, 2]), torch.tensor([6, 5, 6, 2])
    mask = ref("prefix-lm-mask", "prefix_lm_mask")(prefix, 6, lengths)

    def prefix_lm(b, h, q_idx, kv_idx):
        return ((kv_idx <= q_idx) | (kv_idx < prefix[b])) & (kv_idx < lengths[b])

    assert torch.equal(mask, create_mask(prefix_lm, 4, 1, 6, 6, device="cpu"))
    torch.manual_seed(1)
    q, k, v = randn(4, 2, 6, 8), randn(4, 2, 6, 8), randn(4, 2, 6, 8)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(out[0], F.scaled_dot_product_attention(q[:1], k[:1], v[:1], is_causal=True)[0])
    torch.testing.assert_close(out[2], F.scaled_dot_product_attention(q[2:3], k[2:3], v[2:3])[0])
    # the prefix never sees the target: changing row 1's target tokens leaves its prefix outputs alone
    k2, v2 = k.clone(), v.clone()
    k2[1, :, 3:], v2[1, :, 3:] = randn(2, 3, 8), randn(2, 3, 8)
    torch.testing.assert_close(F.scaled_dot_product_attention(q, k2, v2, attn_mask=mask)[1, :, :3], out[1, :, :3])


def test_attention_pooling_is_sdpa_with_one_learned_query() -> None:
    torch.manual_seed(2)
    pool = ref("masked-attention-pooling", "MaskedAttentionPooling")(6).double()
    h = randn(3, 7, 6)
    mask = torch.arange(7) < torch.tensor([7, 4, 0])[:, None]  # the last example has no token
    pooled, weights = pool(h, mask)
    query = pool.scorer.weight.detach().view(1, 1, 6).expand(3, 1, 6)  # the bias cancels in the softmax
    want = F.scaled_dot_product_attention(query, h, h, attn_mask=mask[:, None, :], scale=1.0)[:, 0]
    torch.testing.assert_close(pooled.detach(), want)
    torch.testing.assert_close(weights.sum(-1).detach(), torch.tensor([1.0, 1.0, 0.0], dtype=torch.float64))


def test_bidaf_directions_are_sdpa_calls() -> None:
    torch.manual_seed(3)
    b, t, j, d = 3, 7, 5, 4
    c, q, w = randn(b, t, d), randn(b, j, d), randn(3 * d)
    c_mask = torch.arange(t) < torch.tensor([7, 4, 6])[:, None]
    q_mask = torch.arange(j) < torch.tensor([5, 2, 3])[:, None]
    g = ref("bidaf-attention", "bidaf_attention")(c, q, w, c_mask, q_mask)
    # C2Q: queries c * w_cq, keys and values q, the two linear terms as an additive float mask
    bias = (c @ w[:d])[:, :, None] + (q @ w[d:2 * d])[:, None, :]
    bias = bias.masked_fill(~q_mask[:, None, :], float("-inf"))
    u = F.scaled_dot_product_attention(c * w[2 * d:], q, q, attn_mask=bias, scale=1.0)
    torch.testing.assert_close(g[..., d:2 * d], u)
    torch.testing.assert_close(g[..., 2 * d:3 * d], c * u)
    # Q2C: one query whose "keys" are the row maxima of S over the real question words
    s = bias + (c * w[2 * d:]) @ q.transpose(1, 2)
    m = s.amax(-1, keepdim=True)  # [B, T, 1]
    h = F.scaled_dot_product_attention(torch.ones(b, 1, 1, dtype=torch.float64), m, c,
                                       attn_mask=c_mask[:, None, :], scale=1.0)
    torch.testing.assert_close(g[..., 3 * d:], c * h)
    torch.testing.assert_close(g[..., :d], c)


def test_tagger_matches_nn_multihead_attention_with_copied_weights() -> None:
    torch.manual_seed(4)
    tagger = ref("self-attention-tagger", "SelfAttentionTagger")(20, 12, 3, 5).double().eval()
    ids = torch.randint(0, 20, (3, 7))
    mask = torch.arange(7) < torch.tensor([7, 5, 2])[:, None]  # every row has a real token (MHA gives NaN else)
    mha = torch.nn.MultiheadAttention(12, 3, batch_first=True).double().eval()
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([tagger.q_proj.weight, tagger.k_proj.weight, tagger.v_proj.weight]))
        mha.in_proj_bias.copy_(torch.cat([tagger.q_proj.bias, tagger.k_proj.bias, tagger.v_proj.bias]))
        mha.out_proj.weight.copy_(tagger.out_proj.weight)
        mha.out_proj.bias.copy_(tagger.out_proj.bias)
        x = tagger.embedding(ids)
        attended, _ = mha(x, x, x, key_padding_mask=~mask, need_weights=False)  # its True = ignore
        want = tagger.classifier(tagger.norm(x + attended))
        torch.testing.assert_close(tagger(ids, mask), want)


def test_han_levels_are_sdpa_calls_with_learned_queries() -> None:
    torch.manual_seed(5)
    han = ref("hierarchical-attention", "HierarchicalAttention")(13, 8, 6, 3).double()
    ids = torch.randint(0, 13, (2, 3, 4))
    word_mask = torch.arange(4) < torch.tensor([[4, 2, 0], [1, 3, 4]])[..., None]
    sent_mask = word_mask.any(-1)
    logits, word_w, sent_w = (t.detach() for t in han(ids, word_mask, sent_mask))
    with torch.no_grad():
        x = han.embedding(ids).reshape(6, 4, 8)
        u_w = han.word_context.weight.view(1, 1, 6).expand(6, 1, 6)
        sents = F.scaled_dot_product_attention(u_w, torch.tanh(han.word_proj(x)), x,
                                               attn_mask=word_mask.reshape(6, 1, 4), scale=1.0).reshape(2, 3, 8)
        u_s = han.sent_context.weight.view(1, 1, 6).expand(2, 1, 6)
        doc = F.scaled_dot_product_attention(u_s, torch.tanh(han.sent_proj(sents)), sents,
                                             attn_mask=sent_mask[:, None, :], scale=1.0)[:, 0]
        torch.testing.assert_close(logits, han.classifier(doc))
    torch.testing.assert_close(word_w.sum(-1), word_mask.any(-1).double())
    torch.testing.assert_close(sent_w.sum(-1), torch.ones(2, dtype=torch.float64))
