"""The site's figures: what each SVG draws is read back from the SVG and compared with the rule computed by the
bank's own reference solutions (or by PyTorch), for every figure of the real bank and the fixture."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from grader.bank import load_bank
from grader.figure_masks import PER_SEQUENCE, discarded_rows
from grader.figures import svg
from grader.loader import load_file
from grader.schema import Figure

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "site_bank"
CAPTION = {"en": "a figure", "zh": "一张图"}
# the topics of issue 14: every question about them has a figure
TOPICAL = re.compile(r"mask|causal|sliding|window|dilated|gqa|mqa|grouped-query|tree-attention|speculative|paged|"
                     r"chunk|streaming")
RECT = re.compile(r'<rect class="(?P<cls>[^"]+)"(?: data-[a-z]+="[^"]*")* x="(?P<x>[\d.]+)" y="(?P<y>[\d.]+)" '
                  r'width="(?P<w>[\d.]+)" height="(?P<h>[\d.]+)"')


def _reference(qid: str):
    return load_file(ROOT / "solutions" / qid / "reference.py")


def read_grids(drawn: str) -> list[tuple[list[list[bool]], set[int]]]:
    """Every mask grid of an SVG as (allowed cells, rows drawn as discarded padding), read from its rectangles."""
    rects = [(m["cls"], *(float(m[k]) for k in "xywh")) for m in RECT.finditer(drawn)]
    grids = []
    for cls, x0, y0, w, h in rects:
        if cls != "off":
            continue
        inside = [r for r in rects if r[0] in ("on", "pad") and x0 <= r[1] < x0 + w and y0 <= r[2] < y0 + h]
        cell = min(r[4] for r in inside) if inside else h
        n_rows, n_cols = round(h / cell), round(w / cell)
        cells = [[False] * n_cols for _ in range(n_rows)]
        pads = set()
        for c, x, y, rw, _ in inside:
            i = round((y - y0) / cell)
            if c == "pad":
                pads.add(i)
            for j in range(round((x - x0) / cell), round((x - x0 + rw) / cell)):
                cells[i][j] = c == "on"
        grids.append((cells, pads))
    return grids


def expected_grids(fig: Figure) -> list[list[list[bool]]]:
    """The mask of each drawn grid, computed by the bank's reference solutions or by PyTorch."""
    k, n = fig.kind, fig.lk
    if k == "tree":
        return [_reference("tree-attention-mask").tree_attention_mask(torch.tensor(fig.parents)).tolist()]
    if k == "chunked":
        return [_reference("chunked-streaming-mask").chunk_causal_mask(n, fig.chunk, fig.left_chunks).tolist()]
    if k == "document":
        cu = torch.tensor([0, *fig.lengths]).cumsum(0)
        return [_reference("packed-document-mask").packed_document_mask(cu, n)[0].tolist()]
    if k == "prefix":
        return [_reference("prefix-lm-mask").prefix_lm_mask(torch.tensor([fig.prefix]), n)[0, 0].tolist()]
    if k in ("padding", "padding-causal", "left-padding-causal"):
        pos = torch.arange(n)
        pad = torch.stack([pos >= m if k != "left-padding-causal" else pos < n - m for m in fig.lengths])
        out = _reference("build-attention-mask").build_attention_mask(pad, n, causal=k != "padding")[:, 0]
        if k == "left-padding-causal":
            keep = (~pad).long()
            assert torch.equal(out, _reference("left-padded-decoder-mask").decoder_mask_and_positions(keep)[0][:, 0])
        return out.tolist()
    lq = fig.lq or n
    p = (n - lq + torch.arange(lq))[:, None]  # bottom-right: the queries are the last lq positions
    j = torch.arange(n)[None, :]
    if k == "causal":
        return [_weights_positive(lambda q, kk, v: F.scaled_dot_product_attention(q, kk, v, is_causal=True), lq, n)]
    if k in ("causal-bottom-right", "block"):
        return [_weights_positive(_reference("causal-attention").causal_attention, lq, n)]
    if k in ("sliding-window", "local"):
        ref = _reference("sliding-window-attention").sliding_window_attention
        return [_weights_positive(lambda q, kk, v: ref(q, kk, v, fig.window, causal=k == "sliding-window"), lq, n)]
    if k == "dilated":
        return [((j <= p) & ((p - j) % fig.dilation == 0) & (p - j < fig.window * fig.dilation)).tolist()]
    if k == "sink-window":
        return [((j <= p) & ((j < fig.sinks) | (j > p - fig.window))).tolist()]
    if k == "local-global":
        return [(((p - j).abs() < fig.window) | (p < fig.globals) | (j < fig.globals)).tolist()]
    raise AssertionError(f"no expectation for {k}")


def _weights_positive(attend, lq: int, lk: int) -> list[list[bool]]:
    """Which weights of `attend` are non-zero: its output with V = I is the weight matrix itself."""
    g = torch.Generator().manual_seed(0)
    q, k = torch.randn(1, 1, lq, 4, generator=g), torch.randn(1, 1, lk, 4, generator=g)
    return (attend(q, k, torch.eye(lk)[None, None])[0, 0] > 0).tolist()


def _figures(root: Path | None) -> list[tuple[str, int, Figure]]:
    return [(q.id, i, f) for q in load_bank(root).questions for i, f in enumerate(q.figures)]


ALL = _figures(None) + _figures(FIXTURE)
MASKS = [(qid, i, f) for qid, i, f in ALL if f.kind not in ("gqa", "paged")]


@pytest.mark.parametrize("qid, i, fig", MASKS, ids=[f"{qid}-{i}" for qid, i, _ in MASKS])
def test_every_mask_figure_draws_what_the_reference_computes(qid: str, i: int, fig: Figure) -> None:
    grids = read_grids(svg(fig, "cap"))
    expected = expected_grids(fig)
    assert len(grids) == len(expected)
    for b, ((cells, pads), want) in enumerate(zip(grids, expected)):
        length = fig.lengths[b] if fig.kind in PER_SEQUENCE else None
        assert pads == discarded_rows(fig, length)
        for r, (got, exp) in enumerate(zip(cells, want)):
            if r not in pads:
                assert got == exp, f"{qid} figure {i}, grid {b}, row {r}"
        assert len(cells) == len(want) and len(cells[0]) == len(want[0])


@pytest.mark.parametrize("qid, i, fig", [x for x in ALL if x[2].kind == "gqa"])
def test_gqa_figures_colour_each_query_head_by_the_kv_head_it_uses(qid: str, i: int, fig: Figure) -> None:
    drawn = svg(fig, "cap")
    heads = re.findall(r'<rect class="g(\d)" x="[\d.]+" y="20"', drawn)  # query heads, left to right
    kv = re.findall(r'<rect class="g(\d)" x="[\d.]+" y="86"', drawn)
    assert len(heads) == fig.hq and len(kv) == fig.hkv
    # which K/V head each query head reads, from the reference: K/V head g holds the value g everywhere
    q = torch.randn(1, fig.hq, 1, 4)
    k = torch.randn(1, fig.hkv, 3, 4)
    v = torch.arange(fig.hkv, dtype=torch.float32)[None, :, None, None].expand(1, fig.hkv, 3, 1)
    used = _reference("grouped-query-attention").grouped_query_attention(q, k, v)[0, :, 0, 0].round().long()
    assert [int(h) for h in heads] == [int(g) % 8 for g in used]
    assert drawn.count('class="edge"') == fig.hq


@pytest.mark.parametrize("qid, i, fig", [x for x in ALL if x[2].kind == "paged"])
def test_paged_figures_match_the_gather_reference(qid: str, i: int, fig: Figure) -> None:
    drawn = svg(fig, "cap")
    slot = 34 / fig.block
    filled = {(int(s), int(b)): round(float(w) / slot) for s, b, w in
              re.findall(r'class="on slot" data-seq="(\d+)" data-block="(\d+)" x="[\d.]+" y="[\d.]+" width="([\d.]+)"',
                         drawn)}
    labels = re.findall(r'text-anchor="middle">→(\d+)</text>', drawn)
    # the reference gathers pool block p (every element = p) through the table: position t of sequence b
    pool = torch.arange(32, dtype=torch.float32)[:, None, None, None].expand(32, fig.block, 1, 1)
    width = max(len(row) for row in fig.table)
    table = torch.tensor([row + [-1] * (width - len(row)) for row in fig.table])
    dense = _reference("paged-kv-gather").paged_kv_gather(pool, table, torch.tensor(fig.lengths))[:, 0, :, 0]
    drawn_ids = iter(labels)
    for b, (row, n) in enumerate(zip(fig.table, fig.lengths)):
        for blk in range(len(row)):
            positions = range(blk * fig.block, min(n, (blk + 1) * fig.block))
            assert filled[(b, blk)] == len(positions)
            assert {int(dense[b, t]) for t in positions} == {int(next(drawn_ids))}
    shared = {p for p in range(32) if sum(p in row for row in fig.table) > 1}
    assert set(map(int, re.findall(r'class="shared phys" data-block="(\d+)"', drawn))) == shared


def test_every_topical_question_of_the_bank_has_a_figure() -> None:
    bank = load_bank()
    topical = [q for q in bank.questions if TOPICAL.search(" ".join([q.id, *q.tags]))]
    with_figure = {q.id for q in bank.questions if q.figures}
    assert len(with_figure) >= 37
    assert len([q for q in topical if q.id in with_figure]) >= 33
    for qid in ("causal-attention", "grouped-query-attention", "tree-attention-mask", "paged-kv-gather",
                "chunked-streaming-mask", "sliding-window-attention", "packed-document-mask", "prefix-lm-mask"):
        assert qid in with_figure, qid


@pytest.mark.parametrize("data, message", [
    ({"kind": "chunked", "lk": 6, "chunk": 2}, "needs left_chunks"),
    ({"kind": "document", "lengths": [3, 4], "lk": 6}, "add up to <= lk"),
    ({"kind": "sliding-window", "lq": 5, "lk": 3, "window": 2}, "lq <= lk"),
    ({"kind": "paged", "lengths": [5], "block": 2, "table": [[0, 1]]}, "one block id per block"),
    ({"kind": "prefix", "lk": 4, "prefix": 5}, "<= lk"),
    ({"kind": "left-padding-causal", "lengths": [6], "lk": 4}, "<= lk"),
])
def test_new_figure_kinds_reject_bad_data(data: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Figure(caption=CAPTION, **data)


def test_reader_sees_a_wrong_drawing() -> None:
    """The SVG reader is not blind: a drawing with one cell flipped no longer matches."""
    fig = Figure(kind="chunked", lk=6, chunk=2, left_chunks=0, caption=CAPTION)
    drawn = svg(fig, "cap").replace('<rect class="on" x="34" y="34" width="48"', '<rect class="on" x="34" y="34" '
                                                                               'width="72"', 1)
    assert read_grids(drawn)[0][0] != expected_grids(fig)[0]
