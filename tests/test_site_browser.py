"""The built site in Debian's Chromium (Playwright): from file:// and over `attnbank site serve`.

Every test runs with a route that aborts, and records, any request that is not file:// or localhost.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.bank import load_bank
from grader.sitegen import build

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (apt-get install -y chromium); "
                "they always run in CI", allow_module_level=True)
if not os.environ.get("CI"):
    pytest.importorskip("playwright", reason="browser tests need the dev extra (pip install -e '.[dev]')")

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "site_bank"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync", "--disable-quic"]
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser-site") / "out"
    build(load_bank(FIXTURE), out)
    return out


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:
    """`attnbank site serve` on a free port, for the fixture bank; yields its base URL."""
    out = tmp_path_factory.mktemp("served") / "out"
    env = {**os.environ, "ATTNBANK_ROOT": str(FIXTURE)}
    command = [sys.executable, "-m", "grader", "site", "serve", "--port", "0", "--out", str(out)]
    proc = subprocess.Popen(command, cwd=HERE.parent, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert match, f"serve printed {line!r} (exit code {proc.poll()})"
        yield match.group(0)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(params=["file", "http"])
def base(request, site: Path) -> str:
    """The site's base URL: file:// of a build, or http:// of `site serve`."""
    return site.as_uri() + "/" if request.param == "file" else request.getfixturevalue("served")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context (empty localStorage) that blocks and records every request leaving the machine."""
    context = browser.new_context(viewport={"width": 1100, "height": 900}, accept_downloads=True)
    outside: list[str] = []
    errors: list[str] = []

    def gate(route) -> None:
        url = route.request.url
        local = re.match(r"https?://(127\.0\.0\.1|localhost)[:/]", url)
        if url.startswith(("file://", "data:", "blob:")) or local:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", gate)
    pg = context.new_page()
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert outside == [], f"requests left localhost: {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


def _visible_titles(page: Page) -> list[str]:
    return page.eval_on_selector_all(".qi:not([hidden])", "els => els.map(e => e.dataset.id)")


@pytest.mark.parametrize("query, expected", [
    ("滑动窗口", ["mask-gallery"]),            # Chinese, four characters
    ("最大", ["toy-softmax"]),                 # Chinese, two characters
    ("查询头", ["gqa-groups"]),                # Chinese, three characters
    ("grouped-query", ["gqa-groups"]),        # English, hyphenated
    ("overflow", ["toy-softmax"]),            # English prefix of "overflows" (a known mistake's text)
])
def test_search_finds_chinese_and_english(page: Page, base: str, query: str, expected: list[str]) -> None:
    page.goto(base + "index.html")
    page.fill("#q", query)
    expect(page.locator("#shown")).to_have_text(str(len(expected)))
    assert sorted(_visible_titles(page)) == sorted(expected)


def test_tokenizer_splits_cjk_into_characters_and_bigrams(page: Page, site: Path) -> None:
    page.goto(site.as_uri() + "/index.html")
    assert page.evaluate("attnbank.tokenize('KV缓存 of GQA，分组查询')") == \
        ["KV", "缓", "缓存", "存", "of", "GQA", "分", "分组", "组", "组查", "查", "查询", "询"]


def test_search_from_the_header_of_a_question_page(page: Page, base: str) -> None:
    page.goto(base + "q/toy-softmax.html")
    page.fill("#top-q", "右下角")
    page.press("#top-q", "Enter")
    expect(page.locator("#shown")).to_have_text("1")
    assert _visible_titles(page) == ["mask-gallery"]


def test_filters_combine(page: Page, base: str) -> None:
    page.goto(base + "index.html?kind=quiz")
    expect(page.locator("#shown")).to_have_text("2")
    page.select_option("#f-difficulty", "hard")
    assert _visible_titles(page) == ["cache-bytes"]
    page.select_option("#f-difficulty", "")
    page.select_option("#f-tag", "gqa")
    assert _visible_titles(page) == ["gqa-groups"]


def test_language_switch_is_remembered(page: Page, base: str) -> None:
    page.goto(base + "q/mask-gallery.html")
    expect(page.locator("h1 .en")).to_be_visible()
    expect(page.locator("h1 .zh")).to_be_hidden()
    page.click("#lang-toggle")
    expect(page.locator("h1 .zh")).to_have_text("看懂各种注意力掩码")
    expect(page.locator("h1 .en")).to_be_hidden()
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.goto(base + "index.html")
    expect(page.locator("#f-kind option[value=quiz]")).to_have_text("测验题")
    assert page.get_attribute("#q", "placeholder").startswith("搜索题目")


def test_choice_quiz_checks_itself(page: Page, base: str) -> None:
    page.goto(base + "q/gqa-groups.html")
    page.check(".choice:nth-of-type(1) input")
    page.check(".choice:nth-of-type(3) input")
    page.click("button.check")
    expect(page.locator(".verdict .bad")).to_be_visible()
    expect(page.locator(".choice.wrong")).to_have_count(1)
    expect(page.locator(".choice .why").first).to_be_visible()
    page.uncheck(".choice:nth-of-type(3) input")
    page.check(".choice:nth-of-type(2) input")
    page.click("button.check")
    expect(page.locator(".verdict .ok")).to_be_visible()
    expect(page.locator(".verdict .bad")).to_be_hidden()


def test_numeric_quiz_checks_itself(page: Page, base: str) -> None:
    page.goto(base + "q/cache-bytes.html")
    page.fill("#num", "100")
    page.click("button.check")
    expect(page.locator(".verdict .bad")).to_be_visible()
    expect(page.locator(".verdict .expected")).to_contain_text("128 KiB")
    page.fill("#num", "128.5")
    page.click("button.check")
    expect(page.locator(".verdict .ok")).to_be_visible()


def test_reveals_open_progressively(page: Page, base: str) -> None:
    page.goto(base + "q/toy-softmax.html")
    answer = page.locator("details.answer div.en")
    expect(answer).to_be_hidden()
    page.click("details.answer > summary")
    expect(answer).to_contain_text("Subtract the row maximum")
    hints = page.locator("details.hint")
    expect(hints.nth(1)).to_be_hidden()  # hint 2 waits for hint 1
    hints.nth(0).locator("summary").click()
    expect(hints.nth(1)).to_be_visible()
    page.click("details.reference > summary")
    expect(page.locator("#reference")).to_contain_text("e.sum(dim=-1, keepdim=True)")


def test_copy_button(page: Page, base: str) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"]) if base.startswith("http") else None
    page.goto(base + "q/toy-softmax.html")
    page.click('button[data-copy="cmds"]')
    expect(page.locator('button[data-copy="cmds"] + .copied')).to_be_visible()
    if base.startswith("http"):
        assert page.evaluate("navigator.clipboard.readText()") == \
            "attnbank start toy-softmax\nattnbank grade toy-softmax toy_softmax.py"


def test_progress_survives_reload_and_filters_exports_imports(page: Page, base: str, tmp_path: Path) -> None:
    page.goto(base + "q/gqa-groups.html")
    page.click('.mark-btn[data-set="mastered"]')
    page.reload()
    expect(page.locator('.mark-btn[data-set="mastered"]')).to_have_attribute("aria-pressed", "true")
    page.goto(base + "index.html")
    page.select_option("#f-status", "mastered")
    assert _visible_titles(page) == ["gqa-groups"]
    with page.expect_download() as download:
        page.click("#export")
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported["format"] == "attnbank-progress" and exported["progress"] == {"gqa-groups": "mastered"}
    exported["progress"] = {"cache-bytes": "studied", "toy-softmax": "bogus"}
    upload = tmp_path / "progress.json"
    upload.write_text(json.dumps(exported))
    page.set_input_files("#import", str(upload))
    expect(page.locator("#io-msg .ok")).to_be_visible()
    page.select_option("#f-status", "studied")
    assert _visible_titles(page) == ["cache-bytes"]
    page.select_option("#f-status", "new")
    assert sorted(_visible_titles(page)) == ["mask-gallery", "toy-softmax"]


def test_injected_markup_stays_text(page: Page, base: str) -> None:
    page.goto(base + "q/toy-softmax.html")
    assert page.evaluate("window.INJECTED === undefined")
    expect(page.locator("h1 .en")).to_contain_text("<script>alert('title')</script>")


def test_math_renders_as_mathml(page: Page, base: str) -> None:
    page.goto(base + "q/mask-gallery.html")
    page.click("details.answer > summary")
    box = page.locator("details.answer .en math[display=block]").bounding_box()
    assert box and box["height"] > 30  # laid out as a 2-row cases formula, not raw text


def _axe(page: Page) -> list[str]:
    page.add_script_tag(path=str(HERE / "vendor" / "axe.min.js"))
    result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} x{len(v['nodes'])}" for v in result["violations"]
            if v["impact"] in SERIOUS]


def test_screenshots_of_a_question_in_each_language(page: Page, site: Path, artifacts: Path) -> None:
    for lang in ("en", "zh"):
        page.goto(site.as_uri() + "/q/mask-gallery.html")
        if page.get_attribute("html", "data-lang") != lang:
            page.click("#lang-toggle")
        page.screenshot(path=str(artifacts / f"question-{lang}.png"), full_page=True)
        assert (artifacts / f"question-{lang}.png").stat().st_size > 10_000


def test_mobile_layout_has_no_horizontal_scroll(browser: Browser, site: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    for path in ("index.html", "q/mask-gallery.html", "q/toy-softmax.html"):
        pg.goto(site.as_uri() + "/" + path)
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
    context.close()


def test_real_bank_pages_load_cleanly(page: Page, tmp_path: Path) -> None:
    bank = load_bank()
    build(bank, tmp_path / "real")
    page.goto((tmp_path / "real").as_uri() + "/index.html")
    expect(page.locator("#shown")).to_have_text(str(len(bank.questions)))
    page.fill("#q", "attention")
    assert len(_visible_titles(page)) >= 1
    assert _axe(page) == []
    for q in bank.questions[:20]:
        page.goto((tmp_path / "real").as_uri() + f"/q/{q.id}.html")
        expect(page.locator("h1 .en")).to_be_visible()
        page.locator("details").evaluate_all("els => els.forEach(e => e.open = true)")
        assert _axe(page) == [], q.id


def test_dark_mode_is_remembered(page: Page, base: str) -> None:
    page.goto(base + "index.html")
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    start = page.get_attribute("html", "data-theme")
    page.click("#theme-toggle")
    assert page.get_attribute("html", "data-theme") != start
    page.goto(base + "q/toy-softmax.html")
    assert page.get_attribute("html", "data-theme") != start
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != light


def test_print_shows_answers_and_hides_navigation(page: Page, site: Path) -> None:
    page.goto(site.as_uri() + "/q/toy-softmax.html")
    page.emulate_media(media="print")
    expect(page.locator("details.answer div.en")).to_be_visible()
    expect(page.locator("details.hint").nth(1)).to_be_visible()
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator(".mark")).to_be_hidden()
