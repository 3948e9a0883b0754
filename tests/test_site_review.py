"""The browser review's defects (research/review-2026-12/site.md), each checked in Debian's Chromium."""
# ruff: noqa: F811 (the browser fixtures are imported from test_site_browser, then named as arguments)

from __future__ import annotations

from pathlib import Path

import pytest
from test_site_browser import (  # noqa: F401 (importing also skips this module where those tests skip)
    Browser,
    Page,
    base,
    browser,
    expect,
    page,
    served,
    site,
)

from grader.bank import load_bank
from grader.markup import render_markdown
from grader.sitegen import build

# The relative luminance contrast of two CSS colours, as WCAG 2 defines it.
CONTRAST_JS = """([a, b]) => {
  const lum = c => {
    const [r, g, bb] = c.match(/[\\d.]+/g).slice(0, 3).map(v => +v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * bb;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}"""


def _header_bottom(page: Page) -> float:
    return page.evaluate("document.querySelector('header.top').getBoundingClientRect().bottom")


def _top(page: Page, selector: str) -> float:
    return page.evaluate(f"document.querySelector('{selector}').getBoundingClientRect().top")


def test_header_search_on_a_question_page_lands_on_the_results(page: Page, base: str) -> None:
    page.set_viewport_size({"width": 1100, "height": 500})  # the results start below the first screen
    page.goto(base + "q/toy-softmax.html")
    page.fill("#top-q", "softmax")
    page.press("#top-q", "Enter")
    expect(page.locator("#shown")).to_have_text("1")
    top = _top(page, "#questions-h")
    assert _header_bottom(page) <= top < 500, top  # in view, and not under the sticky header


def test_an_anchored_heading_is_not_under_the_sticky_header(page: Page, base: str) -> None:
    page.set_viewport_size({"width": 1100, "height": 500})
    page.goto(base + "index.html?topic=heads#questions")
    page.wait_for_function("window.scrollY > 0")
    assert _top(page, "#questions-h") >= _header_bottom(page)


def test_display_math_inside_a_paragraph_stays_a_block_inside_it(page: Page, site: Path) -> None:
    html = render_markdown("Before\n$$e^{a} = b$$\nafter.", "t")
    page.goto((site / "index.html").as_uri())
    page.evaluate("html => { document.querySelector('main').innerHTML = html; }", html)
    assert page.evaluate("document.querySelectorAll('main p:empty').length") == 0
    assert page.evaluate("getComputedStyle(document.querySelector('main p .math')).display") == "block"


def test_no_real_page_scrolls_sideways_at_390_px_with_everything_open(browser: Browser, tmp_path: Path) -> None:
    out = tmp_path / "real"
    build(load_bank(), out)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    wide = {}
    for qid in ("linear-attention", "linformer-attention", "rope", "sdpa-api-conventions", "flash-attention",
                "sdpa-mha-and-flex-conventions", "self-attention-module", "positional-encodings-and-context-extension"):
        pg.goto((out / "q" / f"{qid}.html").as_uri())
        pg.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        width = pg.evaluate("document.documentElement.scrollWidth")
        if width > 391:
            wide[qid] = width
    context.close()
    assert wide == {}


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_controls_code_blocks_and_figure_cells_have_3_to_1_contrast(page: Page, site: Path, theme: str) -> None:
    page.goto((site / "q" / "mask-gallery.html").as_uri())
    page.evaluate(f"document.documentElement.setAttribute('data-theme', '{theme}')")
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    edges = {"search box": ("#top-q", "borderTopColor"), "button": (".mark-btn", "borderTopColor"),
             "figure cells": ("svg.fig rect.off", "stroke")}
    for what, (selector, prop) in edges.items():
        colour = page.evaluate(f"getComputedStyle(document.querySelector('{selector}')).{prop}")
        assert page.evaluate(CONTRAST_JS, [colour, bg]) >= 3, (what, colour, bg)
    page.goto((site / "q" / "toy-softmax.html").as_uri())
    page.evaluate(f"document.documentElement.setAttribute('data-theme', '{theme}')")
    code = page.evaluate("getComputedStyle(document.querySelector('#starter pre')).borderTopColor")
    assert page.evaluate(CONTRAST_JS, [code, bg]) >= 3, code
    assert page.evaluate("getComputedStyle(document.querySelector('#starter pre')).lineHeight") != "normal"


def test_import_progress_shows_keyboard_focus(page: Page, site: Path) -> None:
    page.goto((site / "index.html").as_uri())
    page.focus("#export")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "import"
    style = page.evaluate("getComputedStyle(document.querySelector('label[for=import]')).outlineStyle")
    assert style != "none"


def test_each_search_landmark_has_its_own_name(page: Page, site: Path) -> None:
    page.goto((site / "index.html").as_uri())
    expect(page.get_by_role("search", name="Search", exact=True)).to_have_count(1)
    expect(page.get_by_role("search", name="Questions", exact=True)).to_have_count(1)


def test_check_with_no_answer_asks_for_one_and_gives_nothing_away(page: Page, base: str) -> None:
    page.goto(base + "q/gqa-groups.html")
    page.click("button.check")
    expect(page.locator(".verdict .need")).to_be_visible()
    expect(page.locator(".verdict .bad")).to_be_hidden()
    expect(page.locator(".choice .why").first).to_be_hidden()
    expect(page.locator(".choice.right")).to_have_count(0)
    page.goto(base + "q/cache-bytes.html")
    for text in ("", "abc"):
        page.fill("#num", text)
        page.click("button.check")
        expect(page.locator(".verdict .need")).to_be_visible()
        expect(page.locator(".verdict .expected")).to_be_hidden()


def test_search_hits_show_a_snippet_with_the_terms_marked(page: Page, base: str) -> None:
    page.goto(base + "index.html")
    page.fill("#q", "overflow")
    expect(page.locator("#shown")).to_have_text("1")
    snippet = page.locator('.qi[data-id="toy-softmax"] .snippet .en')
    expect(snippet.locator("mark")).to_have_text(["overflows"])
    assert "logit exceeds" in snippet.inner_text()
    page.fill("#q", "")
    expect(page.locator(".snippet")).to_have_count(0)
