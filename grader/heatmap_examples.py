"""The tiny fixed examples whose attention weights the site draws as heatmaps, one per coding question.

Each `run(torch, ref)` calls the question's reference solution (`ref`, the loaded solutions/<id>/reference.py)
on seeded inputs and returns a 2-D tensor of weights (rows: queries, columns: keys). For a function that returns
only `weights @ V`, the example passes V = I (Dv = Lk), so the output *is* the weight matrix. Nothing here is a
hand-written number: change an example and its cached weights are recomputed (the cache key holds its source).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Example:
    """One heatmap: what it runs, and its bilingual caption and axis names."""

    run: Callable[[Any, Any], Any]
    en: str
    zh: str
    rows: tuple[str, str] = ("query", "query")
    cols: tuple[str, str] = ("key", "key")


def _qk(torch, lq: int, lk: int, d: int = 8, heads: tuple[int, int] = (1, 1)):
    """Seeded q [1, Hq, lq, d] and k [1, Hkv, lk, d], and V = I [1, Hkv, lk, lk]."""
    g = torch.Generator().manual_seed(0)
    q = torch.randn(1, heads[0], lq, d, generator=g)
    k = torch.randn(1, heads[1], lk, d, generator=g)
    return q, k, torch.eye(lk).expand(1, heads[1], lk, lk)


def _lengths_mask(torch, lengths: list[int], n: int):
    return torch.arange(n)[None, :] < torch.tensor(lengths)[:, None]  # True = real position


def _sdpa(torch, ref):
    q, k, v = _qk(torch, 4, 6)
    keep = torch.ones(4, 6, dtype=torch.bool).tril(diagonal=2)  # bottom-right causal
    return ref.scaled_dot_product_attention(q, k, v, mask=keep)[0, 0]


def _causal(torch, ref):
    q, k, v = _qk(torch, 3, 6)
    return ref.causal_attention(q, k, v)[0, 0]


def _window(torch, ref):
    q, k, v = _qk(torch, 6, 6)
    return ref.sliding_window_attention(q, k, v, 3, causal=True)[0, 0]


def _gqa(torch, ref):
    q, k, v = _qk(torch, 1, 5, heads=(4, 2))
    return ref.grouped_query_attention(q, k, v, causal=True)[0, :, 0]  # one decode step, rows = query heads


def _flash(torch, ref):
    q, k, v = _qk(torch, 4, 6)
    return ref.flash_attention(q, k, v, causal=True, block_size=2)[0][0, 0]


def _sdpa_api(torch, ref):
    q, k, v = _qk(torch, 3, 6)
    pad = torch.tensor([[False] * 5 + [True]])  # the last key is padding (True = PAD)
    return ref.attention_with_sdpa(q, k, v, key_padding_mask=pad, causal=True)[0, 0]


def _additive(torch, ref):
    g = torch.Generator().manual_seed(0)
    query, keys = torch.randn(4, 5, generator=g), torch.randn(4, 6, 7, generator=g)
    w_q, w_k, v_a = torch.randn(8, 5, generator=g), torch.randn(8, 7, generator=g), torch.randn(8, generator=g)
    return ref.additive_attention(query, keys, keys, w_q, w_k, v_a, mask=_lengths_mask(torch, [6, 5, 4, 3], 6))[1]


def _luong(torch, ref):
    g = torch.Generator().manual_seed(0)
    dec_h, enc = torch.randn(4, 8, generator=g), torch.randn(4, 6, 8, generator=g)
    return ref.luong_attention(dec_h, enc, "dot", mask=_lengths_mask(torch, [6, 5, 4, 3], 6))[1]


def _pooling(torch, ref):
    torch.manual_seed(0)
    module = ref.MaskedAttentionPooling(8)
    h = torch.randn(4, 6, 8, generator=torch.Generator().manual_seed(1))
    return module(h, _lengths_mask(torch, [6, 5, 4, 3], 6))[1]


def _location(torch, ref):
    torch.manual_seed(0)
    module = ref.LocationSensitiveAttention(6, 6, 8, 4, 3)
    g = torch.Generator().manual_seed(1)
    memory, cum, rows = torch.randn(1, 8, 6, generator=g), torch.zeros(1, 8), []
    with torch.no_grad():
        for _ in range(5):  # five decoder steps, each seeing the weights accumulated so far
            weights = module(torch.randn(1, 6, generator=g), memory, cum)[1]
            rows.append(weights[0])
            cum = cum + weights
    return torch.stack(rows)


def _rollout(torch, ref):
    g = torch.Generator().manual_seed(0)
    layers = [torch.randn(1, 2, 6, 6, generator=g).mul(2).softmax(dim=-1) for _ in range(3)]
    return ref.attention_rollout(layers)[0]


def _linear(torch, ref):
    q, k, v = _qk(torch, 6, 6)
    return ref.causal_linear_attention(q, k, v)[0, 0]


def _ring(torch, ref):
    q, k, v = _qk(torch, 3, 6)
    shards = [k[..., :2, :], k[..., 2:4, :], k[..., 4:, :]]
    return ref.ring_attention(q, shards, [v[..., :2, :], v[..., 2:4, :], v[..., 4:, :]])[0, 0]


def _masked_softmax(torch, ref):
    g = torch.Generator().manual_seed(0)
    keep = _lengths_mask(torch, [6, 4, 2, 0], 6)  # the last row keeps nothing
    return ref.masked_softmax(torch.randn(4, 6, generator=g) * 3, keep)


def _temporal(torch, ref):
    torch.manual_seed(0)
    module = ref.TemporalAttentionForecaster(3, 6, 2)
    x = torch.randn(4, 7, 3, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        return module(x, _lengths_mask(torch, [7, 6, 5, 3], 7))[1]


def _hierarchical(torch, ref):
    torch.manual_seed(0)
    module = ref.HierarchicalAttention(20, 8, 6, 3)
    ids = torch.randint(1, 20, (1, 4, 6), generator=torch.Generator().manual_seed(1))
    words = _lengths_mask(torch, [6, 4, 5, 2], 6)[None]  # one document of 4 sentences
    with torch.no_grad():
        return module(ids, words)[1][0]  # the word weights inside each sentence


V_IS_I = ("read from the output with V = I", "取 V = 单位矩阵，输出就是权重")
EXAMPLES: dict[str, Example] = {
    "sdpa": Example(_sdpa, f"softmax(QKᵀ/√D) of the reference on a seeded example, Lq = 4, Lk = 6, with a "
                    f"bottom-right causal bool mask ({V_IS_I[0]}).",
                    f"参考实现在一个固定随机种子的例子上算出的 softmax(QKᵀ/√D)，"
                    f"Lq = 4、Lk = 6，带右下对齐的 bool 因果掩码"
                    f"（{V_IS_I[1]}）。"),
    "causal-attention": Example(_causal, f"The reference's weights for Lq = 3 queries on Lk = 6 keys: each row "
                                f"ends at key 3 + i ({V_IS_I[0]}).",
                                f"参考实现在 Lq = 3、Lk = 6 时的注意力权重：第 i 行到 key 3 + i 为止（{V_IS_I[1]}）。"),
    "sliding-window-attention": Example(_window, f"The reference's weights with window = 3, causal, L = 6 "
                                        f"({V_IS_I[0]}).",
                                        f"参考实现在 window = 3、causal、L = 6 时的注意力权重（{V_IS_I[1]}）。"),
    "grouped-query-attention": Example(_gqa, f"One decode step (Lq = 1, Lk = 5) of 4 query heads on 2 K/V heads: "
                                       f"heads 0, 1 share K/V head 0 and heads 2, 3 share K/V head 1, yet each head "
                                       f"weights the keys its own way ({V_IS_I[0]}).",
                                       f"一步解码（Lq = 1、Lk = 5），4 个 query 头对应 2 个 K/V 头："
                                       f"头 0、1 共享 K/V 头 0，"
                                       f"头 2、3 共享 K/V 头 1，但每个头对 key 的权重各不相同（{V_IS_I[1]}）。",
                                       rows=("query head", "query 头")),
    "flash-attention": Example(_flash, f"The reference's causal weights, Lq = 4, Lk = 6, computed in key blocks "
                               f"of 2 with the online softmax: the same weights as plain attention ({V_IS_I[0]}).",
                               f"参考实现用 online softmax、按 2 个 key 一块算出的因果注意力权重，Lq = 4、Lk = 6："
                               f"和普通注意力的权重完全一样（{V_IS_I[1]}）。"),
    "sdpa-api-conventions": Example(_sdpa_api, f"Causal (bottom-right) with the last key padded, Lq = 3, Lk = 6: "
                                    f"column 5 gets no weight ({V_IS_I[0]}).",
                                    f"右下对齐的因果掩码，最后一个 key 是 padding，Lq = 3、Lk = 6：第 5 列的权重为 0"
                                    f"（{V_IS_I[1]}）。"),
    "additive-attention": Example(_additive, "The weights the reference returns for a batch of 4 queries over 6 "
                                  "positions, of which 6, 5, 4 and 3 are real: the masked tail gets none.",
                                  "参考实现对 4 个 query（一个 batch）在 6 个位置上返回的权重，"
                                  "真实位置分别为 6、5、4、3 个："
                                  "被掩码的尾部权重为 0。", rows=("batch row", "batch 行"), cols=("position", "位置")),
    "luong-attention": Example(_luong, "The weights the reference returns with the dot score for 4 decoder states "
                               "over 6 encoder positions (6, 5, 4 and 3 real).",
                               "参考实现用 dot 打分，对 4 个解码器状态在 6 个编码器位置上返回的权重"
                               "（真实位置分别为 6、5、4、3 个）。",
                               rows=("batch row", "batch 行"), cols=("encoder position", "编码器位置")),
    "masked-attention-pooling": Example(_pooling, "The pooling weights of the reference module (seeded) for 4 "
                                        "sentences of 6, 5, 4 and 3 real tokens.",
                                        "参考模块（固定随机种子）对 4 个句子的池化权重，"
                                        "真实 token 分别为 6、5、4、3 个。",
                                        rows=("sentence", "句子"), cols=("token", "token")),
    "location-sensitive-attention": Example(_location, "Five decoder steps of the reference module over 8 encoder "
                                            "frames, each step fed the weights accumulated so far (the alignment "
                                            "plot of Tacotron, on random weights).",
                                            "参考模块在 8 个编码器帧上的 5 步解码，每一步都输入之前累积的权重"
                                            "（Tacotron 的对齐图，这里用的是随机权重）。",
                                            rows=("decoder step", "解码步"), cols=("frame", "帧")),
    "attention-rollout": Example(_rollout, "The reference's rollout of 3 layers of 2 heads (seeded random "
                                 "attention, L = 6): how much each output token draws on each input token.",
                                 "参考实现对 3 层、每层 2 个头（固定随机种子的注意力，L = 6）做 rollout 的结果："
                                 "每个输出 token 从每个输入 token 获得多少信息。",
                                 rows=("output token", "输出 token"), cols=("input token", "输入 token")),
    "linear-attention": Example(_linear, f"The weighting the reference's causal linear attention (elu + 1 feature "
                                f"map) applies, L = 6: row i mixes only the keys 0 … i ({V_IS_I[0]}).",
                                f"参考实现的因果线性注意力（elu + 1 特征映射）在 L = 6 时的加权："
                                f"第 i 行只混合 key 0 … i"
                                f"（{V_IS_I[1]}）。"),
    "stable-masked-softmax": Example(_masked_softmax, "The reference's `masked_softmax` of seeded scores (times 3) "
                                     "with 6, 4, 2 and 0 entries kept per row: the empty last row is all zeros.",
                                     "参考实现的 `masked_softmax` 作用在固定随机种子的分数（乘以 3）上，"
                                     "每行分别保留 6、4、2、0 个元素：最后一行是空行，输出全 0。",
                                     rows=("row", "行"), cols=("entry", "元素")),
    "temporal-attention": Example(_temporal, "The attention over time of the reference forecaster (seeded) for 4 "
                                  "series with 7, 6, 5 and 3 observed steps: unobserved steps get no weight.",
                                  "参考预测模型（固定随机种子）对 4 条序列在时间维上的注意力，"
                                  "观测到的步数分别为 7、6、5、3："
                                  "未观测的步权重为 0。", rows=("series", "序列"), cols=("time step", "时间步")),
    "hierarchical-attention": Example(_hierarchical, "The word-level weights of the reference HAN (seeded) inside "
                                      "each of one document's 4 sentences of 6, 4, 5 and 2 words.",
                                      "参考 HAN 模型（固定随机种子）中一篇文档 4 个句子（分别有 6、4、5、2 个词）内部的"
                                      "词级注意力权重。", rows=("sentence", "句子"), cols=("word", "词")),
    "ring-attention-merge": Example(_ring, f"The reference merges 3 key shards of 2 into the full softmax over 6 "
                                    f"keys, Lq = 3 ({V_IS_I[0]}).",
                                    f"参考实现把 3 个各含 2 个 key 的分片合并成 6 个 key 上完整的 softmax，Lq = 3"
                                    f"（{V_IS_I[1]}）。"),
}
