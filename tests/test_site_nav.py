"""Finding one's way in Debian's Chromium: contents lists, heading anchors, the other language, shortcuts."""
# ruff: noqa: F811 (the browser fixtures are imported from test_site_browser, then named as arguments)

from __future__ import annotations

from pathlib import Path

import pytest
from test_site_browser import Browser, Page, base, browser, expect, page, served, site  # noqa: F401

PAGES = ["index.html", "q/mask-gallery.html", "q/gqa-groups.html", "q/cache-bytes.html", "q/toy-softmax.html"]
NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def _sections(page: Page) -> list[str]:
    return page.eval_on_selector_all("main h2[id]", "hs => hs.map(h => h.dataset.toc || h.id)")


@pytest.mark.parametrize("path", PAGES)
def test_the_contents_list_has_one_entry_per_section_and_each_heading_an_anchor(page: Page, site: Path,
                                                                                path: str) -> None:
    page.goto(site.as_uri() + "/" + path)
    sections = _sections(page)
    assert len(sections) >= 2
    assert page.eval_on_selector_all("#toc li a", "as => as.map(a => a.hash.slice(1))") == sections
    for target in sections:
        assert page.locator(f"[id='{target}']").count() == 1
    ids = page.eval_on_selector_all("main h2[id]", "hs => hs.map(h => h.id)")
    assert page.eval_on_selector_all("main h2[id] > a.anchor", "as => as.map(a => a.hash.slice(1))") == ids


def test_the_contents_list_sits_beside_the_text_on_a_wide_screen(page: Page, site: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 500})  # short: the fixture's sections can reach the top
    page.goto(site.as_uri() + "/q/toy-softmax.html")
    toc = page.locator("#toc")
    expect(toc.locator("nav")).to_be_visible()
    article = page.locator("article.question").bounding_box()
    box = toc.bounding_box()
    assert box["x"] + box["width"] <= article["x"], (box, article)  # in the margin, not over the text
    page.locator("#toc a[href='#hints-h']").click()
    expect(toc.locator("nav")).to_be_visible()
    expect(page.locator("#toc a[href='#hints-h']")).to_have_attribute("aria-current", "true")
    top = page.evaluate("document.getElementById('hints-h').getBoundingClientRect().top")
    assert page.evaluate("document.querySelector('header.top').getBoundingClientRect().bottom") <= top < 200
    page.locator("#toc a").last.click()  # near the end of the page: the section jumped to is the current one
    expect(page.locator("#toc a").last).to_have_attribute("aria-current", "true")
    expect(page.locator("#toc a[aria-current]")).to_have_count(1)


def test_the_contents_list_folds_on_a_phone_without_sideways_scroll(browser: Browser, site: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    for path in PAGES:
        pg.goto(site.as_uri() + "/" + path)
        nav = pg.locator("#toc nav")
        expect(nav).to_be_hidden()
        pg.click("#toc > summary")
        expect(nav).to_be_visible()
        assert pg.evaluate(NO_SIDEWAYS), path
    pg.locator("#toc a").last.click()
    expect(pg.locator("#toc nav")).to_be_hidden()  # folds again once a section is picked
    context.close()


def test_lang_in_the_address_picks_the_language_and_the_page_links_to_the_other(page: Page, base: str) -> None:
    page.goto(base + "q/mask-gallery.html?lang=zh")
    expect(page.locator("h1 .zh")).to_have_text("看懂各种注意力掩码")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.click("a.other-lang:visible")
    assert page.url.endswith("mask-gallery.html?lang=en")
    expect(page.locator("h1 .en")).to_be_visible()
    expect(page.locator("h1 .zh")).to_be_hidden()
    expect(page.locator("a.other-lang:visible")).to_have_attribute("hreflang", "zh-CN")
    page.click("#lang-toggle")  # the switch keeps the address true to what the page shows
    assert page.url.endswith("?lang=zh")
    page.reload()
    expect(page.locator("h1 .zh")).to_be_visible()


def test_n_p_j_k_go_to_the_next_and_previous_question(page: Page, base: str) -> None:
    page.goto(base + "q/gqa-groups.html")
    after = page.get_attribute(".pager a[rel=next]", "href")
    before = page.get_attribute(".pager a[rel=prev]", "href")
    for key, target in (("n", after), ("p", "gqa-groups.html"), ("k", before), ("j", "gqa-groups.html")):
        with page.expect_navigation():
            page.keyboard.press(key)
        assert page.url.split("/")[-1] == target, key


def test_slash_goes_to_search_and_question_mark_shows_the_shortcuts_in_both_languages(page: Page,
                                                                                     base: str) -> None:
    page.goto(base + "q/toy-softmax.html")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "top-q"
    page.keyboard.type("n/?")  # typed into the box: no shortcut fires
    assert page.input_value("#top-q") == "n/?" and page.url.endswith("toy-softmax.html")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Next question")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.click("#lang-toggle")
    page.click("#keys-open")
    expect(page.get_by_role("dialog", name="键盘快捷键")).to_contain_text("下一题")
    page.keyboard.press("?")
    expect(page.locator("#keys-help")).to_be_hidden()
    page.goto(base + "index.html")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"


def test_no_shortcut_fires_while_typing_in_a_box_or_the_editor(page: Page, base: str) -> None:
    page.goto(base + "q/cache-bytes.html")
    page.focus("#num")
    page.keyboard.type("pkjn?/")  # a quiz's number box
    assert page.input_value("#num") == "pkjn?/" and page.url.endswith("cache-bytes.html")
    page.goto(base + "q/toy-softmax.html")
    page.focus("#ed-code")
    page.keyboard.type("pkjn?/")
    page.locator("#editor").scroll_into_view_if_needed()
    expect(page.locator("#editor[data-editor=codemirror]")).to_have_count(1)
    page.locator(".cm-content").click()
    page.keyboard.type("# pnjk?/")
    assert page.url.endswith("toy-softmax.html")
    expect(page.locator("#keys-help")).to_be_hidden()
    assert "# pnjk?/" in page.locator(".cm-content").inner_text()
