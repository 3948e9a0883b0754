"""Search on the real bank's site in Debian's Chromium: the index comes prebuilt, hits carry snippets."""
# ruff: noqa: F811 (the browser fixtures are imported from test_site_browser, then named as arguments)

from __future__ import annotations

from pathlib import Path

import pytest
from test_site_browser import Browser, Page, browser, expect, page  # noqa: F401 (also skips where those skip)

from grader.bank import load_bank
from grader.site_search import process_term, search_doc, tokenize
from grader.sitegen import build

# Counts every document MiniSearch indexes on the page: the global is trapped before minisearch.js defines it.
COUNT_ADDS = """() => {
  let ms;
  Object.defineProperty(window, "MiniSearch", { configurable: true, get: () => ms, set: v => {
    const add = v.prototype.add;
    v.prototype.add = function (doc) { window.__added = (window.__added || 0) + 1; return add.call(this, doc); };
    ms = v;
  } });
}"""
# The index MiniSearch builds from `docs` with the page's own options, next to the one the site shipped.
BOTH_INDEXES = """docs => {
  const norm = js => { js.index.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)); return JSON.stringify(js); };
  const ms = new MiniSearch(attnbank.searchOptions);
  ms.addAll(docs);
  return [norm(ms.toJSON()), norm(JSON.parse(window.ATTNBANK_INDEX))];
}"""


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("real-search") / "out"
    build(load_bank(), out)
    return out


def _search(page: Page, real: Path, query: str) -> int:
    page.goto((real / "index.html").as_uri())
    page.fill("#q", query)
    page.wait_for_function("window.ATTNBANK_INDEX !== undefined")
    return int(page.locator("#shown").inner_text())


def test_the_page_loads_the_prebuilt_index_and_indexes_nothing_itself(page: Page, real: Path) -> None:
    page.add_init_script(f"({COUNT_ADDS})()")
    assert _search(page, real, "softmax") > 0
    assert page.evaluate("window.__added") is None
    assert not (real / "static" / "search-docs.js").exists()


def test_the_prebuilt_index_is_exactly_what_minisearch_builds(page: Page, real: Path) -> None:
    _search(page, real, "softmax")
    docs = [search_doc(q) for q in load_bank().questions]
    built_here, shipped = page.evaluate(BOTH_INDEXES, docs)
    assert built_here == shipped


def test_python_and_javascript_tokenize_and_fold_alike(page: Page, real: Path) -> None:
    page.goto((real / "index.html").as_uri())
    text = "KV缓存 of GQA，分组查询 is_causal ＫＶ２ Ångström naïve ℓ₂ 一二 x86_64"
    assert page.evaluate("t => attnbank.tokenize(t)", text) == tokenize(text)
    assert page.evaluate("t => attnbank.tokenize(t).map(attnbank.searchOptions.processTerm)", text) == \
        [process_term(t) for t in tokenize(text)]


@pytest.mark.parametrize("query, lang", [("掩码", "zh"), ("softmax", "en")])
def test_hits_show_snippets_with_the_terms_marked(page: Page, real: Path, query: str, lang: str) -> None:
    assert _search(page, real, query) >= 10
    hits = page.locator(".qi:not([hidden])")
    for i in range(5):
        marks = hits.nth(i).locator(f".snippet .{lang} mark")
        assert marks.count() >= 1, hits.nth(i).get_attribute("data-id")
        assert query.lower() in marks.first.inner_text().lower()


@pytest.mark.parametrize("query", ["infty", "mathrm", "mathbf"])  # in 43, 48 and 4 questions' TeX
def test_tex_commands_match_nothing(page: Page, real: Path, query: str) -> None:
    assert _search(page, real, query) == 0
    expect(page.locator("#no-match")).to_be_visible()


def test_fullwidth_letters_find_what_ascii_finds(page: Page, real: Path) -> None:
    ascii_hits = _search(page, real, "KV cache")
    assert ascii_hits > 0 and _search(page, real, "ＫＶ ｃａｃｈｅ") == ascii_hits
