"""The study site builder: pages, math, figures, escaping, offline-ness, progress and the CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import types
import urllib.request
from pathlib import Path
from typing import get_args

import pytest
from click.testing import CliRunner

from grader.bank import load_bank
from grader.cli import cli
from grader.figures import mask, svg
from grader.markup import math_to_mathml, plain_text, render_markdown
from grader.schema import Figure, FigureKind
from grader.sitegen import SiteError, build

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "site_bank"
REPO = HERE.parent
CAPTION = {"en": "a figure", "zh": "一张图"}


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "out"
    build(load_bank(FIXTURE), out)
    return out


def _pages(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*")
            if p.suffix in {".html", ".js", ".css"}}


def _visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_every_question_gets_a_page_and_the_home_lists_it(fixture_site: Path) -> None:
    bank = load_bank(FIXTURE)
    home = (fixture_site / "index.html").read_text(encoding="utf-8")
    for q in bank.questions:
        page = (fixture_site / "q" / f"{q.id}.html").read_text(encoding="utf-8")
        assert q.title.zh in page
        assert f'href="q/{q.id}.html"' in home
    assert (fixture_site / ".attnbank-site").is_file()


def test_home_has_topic_cards_with_counts_and_the_commands(fixture_site: Path) -> None:
    home = (fixture_site / "index.html").read_text(encoding="utf-8")
    card = home[home.index('data-topic="heads"'):]
    card = card[:card.index("</li>")]
    assert "<strong>3</strong>" in card  # two quizzes and one coding question
    assert re.search(r"kind-quiz.*?</span>&nbsp;2", card) and re.search(r"kind-coding.*?</span>&nbsp;1", card)
    for command in ("attnbank start ID", "attnbank grade ID FILE", "attnbank practice"):
        assert command in home
    assert "还没有题目的主题" in home and 'data-topic="empty-topic"' not in home  # listed, but no card


def test_home_shows_application_topics_as_a_second_part(tmp_path: Path) -> None:
    bank_dir = tmp_path / "bank"
    shutil.copytree(FIXTURE, bank_dir)
    topics = bank_dir / "questions" / "topics.yaml"
    text = topics.read_text(encoding="utf-8")
    topics.write_text(text.replace("  - id: heads\n", "  - id: heads\n    part: applications\n"), encoding="utf-8")
    build(load_bank(bank_dir), tmp_path / "out")
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    first, second = home.index('id="part-mechanism"'), home.index('id="part-applications"')
    assert first < home.index('data-topic="masks"') < second < home.index('data-topic="heads"')
    assert "Attention in applications" in home and "注意力在各领域的应用" in home


def test_real_bank_builds(tmp_path: Path) -> None:
    bank = load_bank()
    result = build(bank, tmp_path / "out")
    assert result.pages == len(bank.questions) + 2  # the home page and the progress overview
    for q in bank.questions:
        page = (tmp_path / "out" / "q" / f"{q.id}.html").read_text(encoding="utf-8")
        assert "$$" not in _visible_text(page)


def test_math_is_mathml_and_no_dollar_signs_remain(fixture_site: Path) -> None:
    page = (fixture_site / "q" / "mask-gallery.html").read_text(encoding="utf-8")
    assert page.count("<math") >= 10 and "<mtable" in page  # inline math and the cases environment
    assert "$" not in _visible_text(page)


@pytest.mark.parametrize("tex, reason", [
    (r"\frac{a", "unbalanced braces"), (r"\foo x", r"unknown command \foo"),
    ("a^", "MissingSuperScriptOrSubscriptError"), (r"\frac{a}", "<mfrac> needs 2 arguments"),
])
def test_bad_math_is_refused(tex: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        math_to_mathml(tex, False)


def test_bad_formula_fails_the_build_naming_file_and_field(tmp_path: Path) -> None:
    bank_root = tmp_path / "bank"
    shutil.copytree(FIXTURE, bank_root)
    path = bank_root / "questions" / "masks" / "mask-gallery.yaml"
    text = path.read_text(encoding="utf-8")
    broken = text.replace("只保留最近的 $w$ 个 key", r"只保留最近的 $\frac{w$ 个 key")
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(SiteError) as err:
        build(load_bank(bank_root), tmp_path / "out")
    assert r"questions/masks/mask-gallery.yaml: answer.zh: cannot render math '\frac{w': unbalanced braces" \
        in str(err.value)
    assert not (tmp_path / "out").exists()


def test_markdown_cannot_inject_html(fixture_site: Path) -> None:
    page = (fixture_site / "q" / "toy-softmax.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.INJECTED = 1&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page  # title: escaped by Jinja
    assert "<img" not in page and "<script>window" not in page and "<script>alert" not in page
    assert render_markdown("<b>x</b>", "t") == "<p>&lt;b&gt;x&lt;/b&gt;</p>\n"


def test_nothing_refers_outside_the_site(fixture_site: Path) -> None:
    for name, text in _pages(fixture_site).items():
        assert not re.search(r"""(?:src|href|action)\s*=\s*["']?(?:[a-z]+:)?//""", text, re.I), name
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//|@import", text, re.I), name
        if not name.startswith("static/vendor/"):  # the vendored library is checked in the browser tests
            # the one request a page makes: to the local grader's API on its own origin (site serve)
            calls = re.findall(r"""fetch\([^)]*|XMLHttpRequest|import\(""", text)
            assert calls in ([], ['fetch("/api/" + path, init']), (name, calls)
    for link in re.findall(r'(?:src|href)="([^"#?]+)', (fixture_site / "q" / "toy-softmax.html").read_text()):
        assert link.startswith("data:") or (fixture_site / "q" / link).resolve().is_file(), link


def test_coding_page_has_starter_commands_mistakes_and_reference(fixture_site: Path) -> None:
    page = (fixture_site / "q" / "toy-softmax.html").read_text(encoding="utf-8")
    assert "attnbank start toy-softmax\nattnbank grade toy-softmax toy_softmax.py" in page
    assert 'data-copy="starter"' in page and 'class="hl"' in page
    assert "没有减去每行最大值" in page and "overflows once a logit exceeds" in page
    reference = page[page.index('class="reveal reference"'):]
    assert "amax" in reference and "评测器能识别的典型错误" in page
    assert page.count('class="hint"') == 2


def test_quiz_pages_carry_what_the_browser_checks(fixture_site: Path) -> None:
    choice = (fixture_site / "q" / "gqa-groups.html").read_text(encoding="utf-8")
    assert choice.count('data-correct="1"') == 2 and choice.count('data-correct="0"') == 1
    assert 'type="checkbox"' in choice and "多选" in choice  # two correct answers: pick all
    numeric = (fixture_site / "q" / "cache-bytes.html").read_text(encoding="utf-8")
    assert 'data-value="128.0"' in numeric and 'data-tol="0.01"' in numeric and "KiB" in numeric


def test_fixture_exercises_every_figure_kind(fixture_site: Path) -> None:
    kinds = {f.kind for q in load_bank(FIXTURE).questions for f in q.figures}
    assert kinds == set(get_args(FigureKind))
    pages = "".join(_pages(fixture_site).values())
    for kind in kinds:
        assert f'class="fig fig-{kind}"' in pages


def _rows(fig: Figure, length: int | None = None) -> list[str]:
    return ["".join("#" if x else "." for x in row) for row in mask(fig, length)]


def test_mask_patterns() -> None:
    assert _rows(Figure(kind="causal", lq=2, lk=4, caption=CAPTION)) == ["#...", "##.."]
    assert _rows(Figure(kind="causal-bottom-right", lq=2, lk=4, caption=CAPTION)) == ["###.", "####"]
    assert _rows(Figure(kind="sliding-window", lq=4, lk=4, window=2, caption=CAPTION)) == \
        ["#...", "##..", ".##.", "..##"]
    assert _rows(Figure(kind="padding", lengths=[2, 3], lk=3, caption=CAPTION), 2) == ["##."] * 3
    assert _rows(Figure(kind="tree", parents=[-1, 0, 0, 1], caption=CAPTION)) == \
        ["#...", "##..", "#.#.", "##.#"]


def test_block_figure_classifies_tiles() -> None:
    drawn = svg(Figure(kind="block", lq=8, lk=8, block=2, caption=CAPTION), "cap")
    assert drawn.count("t-full") == 6 and drawn.count("t-part") == 4 and drawn.count("t-skip") == 6
    gqa = svg(Figure(kind="gqa", hq=6, hkv=2, caption=CAPTION), "cap")
    assert gqa.count('class="g0"') == 4 and gqa.count('class="g1"') == 4  # 3 query heads + 1 K/V head each
    assert 'aria-labelledby="cap"' in gqa


@pytest.mark.parametrize("data, message", [
    ({"kind": "causal", "lq": 3}, "needs lk"),
    ({"kind": "causal", "lq": 3, "lk": 3, "window": 2}, "does not take window"),
    ({"kind": "gqa", "hq": 8, "hkv": 3}, "multiple of hkv"),
    ({"kind": "tree", "parents": [-1, 2, 0]}, "earlier node"),
    ({"kind": "causal-bottom-right", "lq": 5, "lk": 3}, "lq <= lk"),
    ({"kind": "padding", "lengths": [4], "lk": 3}, "<= lk"),
    ({"kind": "causal", "lq": 3, "lk": 3, "color": "red"}, "Extra inputs"),
])
def test_figure_schema_rejects_bad_data(data: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Figure(caption=CAPTION, **data)


def test_search_index_and_texts_hold_both_languages(fixture_site: Path) -> None:
    text = (fixture_site / "static" / "search-index.js").read_text(encoding="utf-8")
    index_line, texts_line = text.splitlines()
    index = json.loads(json.loads(index_line.removeprefix("window.ATTNBANK_INDEX = ").rstrip(";")))
    texts = json.loads(texts_line.removeprefix("window.ATTNBANK_TEXTS = ").rstrip(";"))
    gallery = texts["mask-gallery"]
    assert "滑动窗口" in gallery["text_zh"] and "sliding window" in gallery["text_en"]
    assert "$" not in gallery["text_en"]
    terms = {term for term, _ in index["index"]}
    assert {"滑动", "窗口", "sliding", "window"} <= terms and index["documentCount"] == 4


def test_with_progress_without_practice_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "grader.practice.store", None)  # import fails as if it were missing
    result = build(load_bank(FIXTURE), tmp_path / "out", with_progress=True)
    assert "not installed" in result.progress_note
    status = (tmp_path / "out" / "static" / "practice-status.js").read_text()
    assert status == "window.ATTNBANK_PRACTICE = {};\n"


def test_with_progress_without_a_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = types.ModuleType("grader.practice.store")
    store.question_status = lambda db_path=None: {}  # what practice mode returns when it has no database
    monkeypatch.setitem(sys.modules, "grader.practice", types.ModuleType("grader.practice"))
    monkeypatch.setitem(sys.modules, "grader.practice.store", store)
    result = build(load_bank(FIXTURE), tmp_path / "out", with_progress=True)
    assert "no practice progress found" in result.progress_note


def test_with_progress_includes_practice_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = types.ModuleType("grader.practice.store")
    store.question_status = lambda db_path=None: {"gqa-groups": "mastered", "toy-softmax": "learning",
                                                  "cache-bytes": "new"}
    monkeypatch.setitem(sys.modules, "grader.practice", types.ModuleType("grader.practice"))
    monkeypatch.setitem(sys.modules, "grader.practice.store", store)
    result = build(load_bank(FIXTURE), tmp_path / "out", with_progress=True)
    assert "2 question(s)" in result.progress_note
    status = (tmp_path / "out" / "static" / "practice-status.js").read_text()
    assert json.loads(status.split("=", 1)[1].strip().rstrip(";")) == {"gqa-groups": "mastered",
                                                                       "toy-softmax": "studied"}


def test_build_replaces_its_own_output_only(tmp_path: Path) -> None:
    bank = load_bank(FIXTURE)
    out = tmp_path / "out"
    build(bank, out)
    (out / "q" / "stale.html").write_text("old")
    build(bank, out)
    assert not (out / "q" / "stale.html").exists()
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(SiteError, match="not built by attnbank"):
        build(bank, other)
    assert (other / "notes.txt").read_text() == "keep me"


def test_cli_site_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTNBANK_ROOT", str(FIXTURE))
    result = CliRunner().invoke(cli, ["site", "build", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "built 6 page(s)" in result.output
    assert (tmp_path / "out" / "q" / "gqa-groups.html").is_file()
    result = CliRunner().invoke(cli, ["site", "build", "--out", str(tmp_path / "out"), "--with-progress"])
    assert result.exit_code == 0 and "--with-progress:" in result.output


def test_cli_site_serve_serves_over_http(tmp_path: Path) -> None:
    env = {**os.environ, "ATTNBANK_ROOT": str(FIXTURE)}
    proc = subprocess.Popen([sys.executable, "-m", "grader", "site", "serve", "--port", "0", "--out",
                             str(tmp_path / "out")], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        assert len(re.search(r"#token=([A-Za-z0-9_-]+)", line).group(1)) >= 32  # random, per launch
        with urllib.request.urlopen(url + "q/cache-bytes.html", timeout=10) as resp:
            assert resp.status == 200 and "单个 token 的 KV cache 大小" in resp.read().decode()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_chinese_ui_strings(fixture_site: Path) -> None:
    concept = (fixture_site / "q" / "mask-gallery.html").read_text(encoding="utf-8")
    coding = (fixture_site / "q" / "toy-softmax.html").read_text(encoding="utf-8")
    for label in ("题目", "参考答案", "常见错误", "追问", "参考文献", "已学习", "已掌握", "图示"):
        assert f'<span class="zh" lang="zh-CN">{label}' in concept, label
    for label in ("提示", "起始代码", "复制", "参考实现"):
        assert f'<span class="zh" lang="zh-CN">{label}' in coding, label


def test_build_reports_progress_up_to_the_total(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    build(load_bank(FIXTURE), tmp_path / "out", on_page=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (9, 9) and [done for done, _ in calls] == list(range(1, 10))  # 4 texts, 4 pages, home


def test_cli_site_serve_reports_a_busy_port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    monkeypatch.setenv("ATTNBANK_ROOT", str(FIXTURE))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["site", "serve", "--port", str(port), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and f"cannot serve on 127.0.0.1:{port}" in result.output


def test_the_search_text_keeps_no_tex_commands() -> None:
    text = plain_text(r"$\mathrm{softmax}\!\Big(QK^\top / \sqrt{d_k}\Big)$ and $-\infty$, `is_causal`")
    assert not re.search(r"Big|top|infty|mathrm|sqrt|\\", text), text
    assert "softmax" in text and "QK" in text and "is causal" in text
