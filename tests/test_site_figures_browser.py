"""The real bank's figures and heatmaps in Debian's Chromium: at least 25 pages show a figure, drawn at a real
size, and none of them scrolls sideways on a 390 px phone, answers closed or open, in either language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# isort: off
from test_site_browser import ARGS, CHROMIUM, _axe  # skips without Chromium or Playwright
from playwright.sync_api import Browser, Page, sync_playwright
# isort: on

from grader import heatmap_examples
from grader.bank import load_bank
from grader.sitegen import build


@pytest.fixture(scope="module")
def real_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("real-site") / "out"
    build(load_bank(), out)
    return out


@pytest.fixture(scope="module")
def phone() -> Iterator[Page]:
    with sync_playwright() as p:
        browser: Browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
        errors: list[str] = []
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield page
        browser.close()
        assert errors == [], errors


def _figure_pages(site: Path) -> list[str]:
    return sorted(p.stem for p in (site / "q").glob("*.html") if 'class="fig ' in p.read_text(encoding="utf-8"))


def _scrolls_sideways(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


def test_figure_pages_show_their_figures_without_sideways_scroll_on_a_phone(real_site: Path, phone: Page) -> None:
    pages = _figure_pages(real_site)
    mask_pages = [p for p in pages if 'class="fig fig-' in (real_site / "q" / f"{p}.html").read_text()]
    assert len(mask_pages) >= 25, mask_pages
    wide = []
    for qid in pages:
        phone.goto((real_site / "q" / f"{qid}.html").as_uri())
        figures = phone.locator("svg.fig")
        assert figures.count() >= 1, qid
        for i in range(figures.count()):
            box = figures.nth(i).bounding_box()
            assert box and 60 <= box["width"] <= 390 and box["height"] >= 30, (qid, i, box)
        for lang in ("en", "zh"):
            if phone.get_attribute("html", "data-lang") != lang:
                phone.click("#lang-toggle")
            expect_caption = phone.locator(f"figcaption .{lang}").first
            assert expect_caption.is_visible(), (qid, lang)
            if _scrolls_sideways(phone):
                wide.append((qid, lang, "closed"))
            phone.locator("details").evaluate_all("els => els.forEach(e => e.open = true)")
            if _scrolls_sideways(phone):
                wide.append((qid, lang, "open"))
            phone.locator("details").evaluate_all("els => els.forEach(e => e.open = false)")
    assert wide == []


def test_heatmap_values_are_readable_in_the_page(real_site: Path, phone: Page) -> None:
    phone.goto((real_site / "q" / "grouped-query-attention.html").as_uri())
    heatmap = phone.locator("svg.heatmap")
    assert heatmap.get_attribute("aria-labelledby") == "hm-cap"
    assert phone.locator("#hm-cap").inner_text().strip()
    assert heatmap.locator("title").count() == 1
    phone.click(".hm-values summary")
    rows = phone.locator(".hm-table tbody tr")
    assert rows.count() == 4  # the example's four query heads
    for i in range(4):
        values = [float(x) for x in rows.nth(i).locator("td").all_inner_texts()]
        assert abs(sum(values) - 1) < 1e-3  # each head's weights form a distribution
    assert len(_figure_pages(real_site)) >= len(heatmap_examples.EXAMPLES)


@pytest.mark.parametrize("qid", ["paged-kv-gather", "grouped-query-attention", "combining-padding-and-causal-masks",
                                 "tree-attention-for-speculative-decoding"])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_figure_pages_have_no_serious_accessibility_violation(real_site: Path, phone: Page, qid: str,
                                                              theme: str) -> None:
    phone.goto((real_site / "q" / f"{qid}.html").as_uri())
    if phone.get_attribute("html", "data-theme") != theme:
        phone.click("#theme-toggle")
    phone.locator("details").evaluate_all("els => els.forEach(e => e.open = true)")
    assert _axe(phone) == []
