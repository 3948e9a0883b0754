"""axe-core (tests/vendor, pinned) on every page type of the site, both languages and both themes.

axe is injected by these tests only; no built page refers to it. Every `<details>` is opened first, the
coding page's editor is CodeMirror (loaded), and the shortcut list is scanned open as well.
"""
# ruff: noqa: F811 (the browser fixtures are imported from test_site_browser, then named as arguments)

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_site_browser import HERE, Browser, Page, _axe, browser, expect, page, site  # noqa: F401

from grader.bank import load_bank
from grader.sitegen import build

VENDOR = HERE / "vendor"
MODES = [("en", "light"), ("en", "dark"), ("zh", "light"), ("zh", "dark")]


def _open(page: Page, url: str, lang: str, theme: str) -> None:
    page.goto(url)
    page.evaluate("([l, t]) => { localStorage.setItem('attnbank.lang', l); localStorage.setItem('attnbank.theme', t) }",
                  [lang, theme])
    page.reload()
    if page.locator("#editor").count():
        page.locator("#editor").scroll_into_view_if_needed()
        expect(page.locator("#editor[data-editor=codemirror]")).to_have_count(1)
    page.locator("details").evaluate_all("els => els.forEach(e => { e.open = true; })")


def test_axe_is_the_pinned_npm_release_and_never_shipped(site: Path) -> None:
    pinned = json.loads((VENDOR / "package.json").read_text())["devDependencies"]["axe-core"]
    assert (VENDOR / "axe.min.js").read_text(encoding="utf-8").startswith(f"/*! axe v{pinned}\n")
    for f in site.rglob("*"):
        if f.is_file():
            assert b"axe.min" not in f.read_bytes() and b"Deque" not in f.read_bytes(), f


@pytest.mark.parametrize("path", ["index.html", "q/mask-gallery.html", "q/gqa-groups.html", "q/cache-bytes.html",
                                  "q/toy-softmax.html"])
@pytest.mark.parametrize("lang, theme", MODES)
def test_no_serious_violation_on_any_page_type(page: Page, site: Path, path: str, lang: str, theme: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})  # the contents list open beside the text
    _open(page, site.as_uri() + "/" + path, lang, theme)
    assert _axe(page) == []


@pytest.mark.parametrize("lang, theme", MODES)
def test_no_serious_violation_with_the_shortcut_list_open_on_a_phone(browser: Browser, site: Path, lang: str,
                                                                    theme: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    _open(pg, site.as_uri() + "/q/toy-softmax.html", lang, theme)
    pg.click("#keys-open")
    expect(pg.locator("#keys-help")).to_be_visible()
    assert _axe(pg) == []
    context.close()


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("real-a11y") / "out"
    build(load_bank(), out)
    return out


def _one_of_each_kind() -> list[str]:
    picked: dict[str, str] = {}
    for q in load_bank().questions:
        key = q.kind if q.kind != "quiz" else f"quiz-{q.quiz.type}"
        picked.setdefault(key, q.id)
    return sorted(picked.values())


@pytest.mark.parametrize("lang, theme", MODES)
def test_no_serious_violation_on_the_real_bank(page: Page, real: Path, lang: str, theme: str) -> None:
    found = {}
    for path in ["index.html", *(f"q/{qid}.html" for qid in _one_of_each_kind())]:
        _open(page, (real / path).as_uri(), lang, theme)
        if violations := _axe(page):
            found[path] = violations
    assert found == {}
