"""Heatmaps of the references' attention weights: computed by running the reference, checked against an
independent computation with PyTorch, cached so that a warm build never imports torch."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from grader import heatmap_examples, heatmaps
from grader.bank import load_bank
from grader.sitegen import SiteError, build

ROOT = Path(__file__).resolve().parent.parent


def _ref(qid: str) -> Path:
    return ROOT / "solutions" / qid / "reference.py"


def _softmax_weights(lq: int, lk: int, keep: torch.Tensor, heads: tuple[int, int] = (1, 1)) -> torch.Tensor:
    """softmax(QK^T / sqrt(D)) of the examples' seeded q, k under `keep`, by PyTorch's own SDPA with V = I."""
    q, k, v = heatmap_examples._qk(torch, lq, lk, heads=heads)
    g = heads[0] // heads[1]
    k, v = k.repeat_interleave(g, dim=1), v.repeat_interleave(g, dim=1)
    return F.scaled_dot_product_attention(q.double(), k.double(), v.double(), attn_mask=keep)[0]


def _bottom_right(lq: int, lk: int) -> torch.Tensor:
    return torch.ones(lq, lk, dtype=torch.bool).tril(diagonal=lk - lq)


def _masked_softmax() -> torch.Tensor:
    scores = torch.randn(4, 6, generator=torch.Generator().manual_seed(0)).double() * 3
    keep = torch.arange(6) < torch.tensor([6, 4, 2, 0])[:, None]
    return torch.softmax(scores.masked_fill(~keep, float("-inf")), dim=-1).nan_to_num(0.0)  # empty row: zeros


INDEPENDENT = {  # question -> the weights PyTorch computes for its example
    "stable-masked-softmax": _masked_softmax,
    "sdpa": lambda: _softmax_weights(4, 6, _bottom_right(4, 6))[0],
    "causal-attention": lambda: _softmax_weights(3, 6, _bottom_right(3, 6))[0],
    "flash-attention": lambda: _softmax_weights(4, 6, _bottom_right(4, 6))[0],
    "ring-attention-merge": lambda: _softmax_weights(3, 6, torch.ones(3, 6, dtype=torch.bool))[0],
    "sliding-window-attention": lambda: _softmax_weights(6, 6, _bottom_right(6, 6) & ~_bottom_right(6, 6).tril(-3))[0],
    "sdpa-api-conventions": lambda: _softmax_weights(3, 6, _bottom_right(3, 6) & (torch.arange(6) < 5))[0],
    "grouped-query-attention": lambda: _softmax_weights(1, 5, _bottom_right(1, 5), heads=(4, 2))[:, 0],
}


@pytest.mark.parametrize("qid", sorted(heatmap_examples.EXAMPLES))
def test_heatmap_weights_come_from_running_the_reference(qid: str) -> None:
    rows = heatmaps.weights(qid, _ref(qid))
    assert rows == heatmaps.compute(qid, _ref(qid))  # the cached copy is what the reference computes now
    for row in rows:
        assert all(0 <= w <= 1 for w in row) and sum(row) <= 1 + 1e-3
    if qid in INDEPENDENT:
        expected = INDEPENDENT[qid]()
        assert torch.allclose(torch.tensor(rows, dtype=torch.float64), expected, atol=1e-4), qid
        assert ((torch.tensor(rows) == 0) == (expected == 0)).all()  # blocked cells are exactly the masked ones
    elif qid != "attention-rollout":  # a softmax per row: each sums to 1
        assert all(math.isclose(sum(row), 1, abs_tol=1e-3) for row in rows), qid


def test_every_example_belongs_to_a_coding_question_of_the_bank() -> None:
    bank = load_bank()
    assert set(heatmap_examples.EXAMPLES) <= {q.id for q in bank.questions if q.kind == "coding"}
    assert len(heatmap_examples.EXAMPLES) >= 10


def test_a_warm_cache_never_imports_torch_and_a_changed_reference_is_recomputed(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    ref = tmp_path / "reference.py"
    shutil.copy(_ref("sdpa"), ref)
    probe = (f"import sys; from pathlib import Path; from grader import heatmaps; "
             f"w = heatmaps.weights('sdpa', Path({str(ref)!r})); print('torch' in sys.modules, w[0][0])")

    def run() -> list[str]:
        return subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                              check=True, cwd=tmp_path).stdout.split()

    cold, warm = run(), run()
    assert cold[0] == "True" and warm == ["False", cold[1]]
    assert len(list((tmp_path / "cache" / "attnbank" / "heatmaps").glob("*.json"))) == 1
    ref.write_text(ref.read_text().replace("def scaled_dot_product_attention(q, k, v, mask=None, scale=None):",
                                           "def scaled_dot_product_attention(q, k, v, mask=None, scale=None):\n"
                                           "    scale = 1.0 if scale is None else scale"), encoding="utf-8")
    changed = run()
    assert changed[0] == "True" and changed[1] != cold[1]  # a new key: the new reference's weights (scale 1)


def test_a_corrupt_cache_file_is_recomputed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    file = heatmaps.cache_dir() / f"{heatmaps.cache_key('luong-attention', _ref('luong-attention'))}.json"
    file.parent.mkdir(parents=True)
    file.write_text("{not json", encoding="utf-8")
    assert heatmaps.weights("luong-attention", _ref("luong-attention")) == heatmaps.compute(
        "luong-attention", _ref("luong-attention"))
    assert json.loads(file.read_text(encoding="utf-8"))["question"] == "luong-attention"


def test_question_pages_show_the_heatmap_accessibly(tmp_path: Path) -> None:
    build(load_bank(), tmp_path / "site")
    for qid in heatmap_examples.EXAMPLES:
        page = (tmp_path / "site" / "q" / f"{qid}.html").read_text(encoding="utf-8")
        drawn = re.search(r'<svg class="fig heatmap" role="img" aria-labelledby="hm-cap".*?</svg>', page, re.S)
        assert drawn and "<title>" in drawn.group(0) and 'id="hm-cap"' in page
        rows = heatmaps.weights(qid, _ref(qid))
        cells = [float(w) for w in re.findall(r'data-w="([^"]+)"', drawn.group(0))]
        assert cells == [w for row in rows for w in row]
        table = [float(x) for x in re.findall(r"<td>([\d.]+)</td>", page.split('class="hm-table"')[1])]
        assert table == [w for row in rows for w in row]
    page = (tmp_path / "site" / "q" / "stable-masked-softmax.html").read_text(encoding="utf-8")
    caption = page.split('id="hm-cap"')[1].split("</figcaption>")[0]
    assert "<code>masked_softmax</code>" in caption and "`" not in caption  # Markdown rendered, both languages
    assert 'class="fig heatmap"' not in (tmp_path / "site" / "q" / "causal-mask-alignment.html").read_text()


@pytest.mark.parametrize("run, message", [
    (lambda torch, ref: torch.ones(3), "not 2-D"),
    (lambda torch, ref: torch.full((2, 2), 2.0), "outside [0, 1]"),
    (lambda torch, ref: ref.no_such_function(), "AttributeError"),
])
def test_a_bad_example_fails_the_build_naming_the_question(run, message: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(heatmap_examples.EXAMPLES, "toy-softmax", heatmap_examples.Example(run, "a", "图"))
    with pytest.raises(SiteError) as err:
        build(load_bank(ROOT / "tests" / "fixtures" / "site_bank"), tmp_path / "out")
    line = next(x for x in str(err.value).splitlines() if "heatmap" in x)
    assert "toy-softmax" in line and message in line
    assert not (tmp_path / "out").exists()  # nothing was written
