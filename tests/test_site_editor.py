"""The editor on coding pages in Debian's Chromium: writing offline (file://), and Run checks through
`attnbank site serve` on the real bank (grades, diagnosis, patterns, progress) with the API's guards."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_site_browser import (  # skips this module where the browser tests skip (no chromium or playwright)
    ARGS,
    CHROMIUM,
    FIXTURE,
    Browser,
    Page,
    expect,
    sync_playwright,
)

from grader.bank import load_bank
from grader.cli import cli
from grader.sitegen import build

REPO = Path(__file__).resolve().parent.parent
REFERENCE = (REPO / "solutions" / "causal-attention" / "reference.py").read_text(encoding="utf-8")
QUERY_AXIS = REFERENCE.replace("torch.softmax(scores, dim=-1)", "torch.softmax(scores, dim=-2)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context that aborts, and records, every request that is not file:// or loopback."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    outside: list[str] = []
    errors: list[str] = []

    def gate(route) -> None:
        url = route.request.url
        if url.startswith(("file://", "data:", "blob:")) or re.match(r"http://127\.0\.0\.1:\d+/", url):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", gate)
    pg = context.new_page()
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert outside == [] and errors == [], (outside, errors)


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, str, Path]]:
    """`attnbank site serve` of the real bank with a fresh progress database: (base URL, token, database)."""
    tmp = tmp_path_factory.mktemp("serve-real")
    db = tmp / "progress.db"
    env = {**os.environ, "ATTNBANK_DB": str(db)}
    proc = subprocess.Popen([sys.executable, "-m", "grader", "site", "serve", "--port", "0", "--out",
                             str(tmp / "out")], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/)#token=(\S+)", line)
        assert match, f"serve printed {line!r} (exit code {proc.poll()})"
        yield match.group(1), match.group(2), db
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _editor(page: Page):
    """The CodeMirror editor once its lazily loaded bundle is in."""
    page.locator("#editor").scroll_into_view_if_needed()
    expect(page.locator("#editor[data-editor=codemirror] .cm-content")).to_be_visible()
    return page.locator("#editor .cm-content")


def _replace_code(page: Page, code: str) -> None:
    _editor(page).click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(code)


def test_a_correct_solution_passes_and_a_query_axis_softmax_fails_with_its_diagnosis(
        page: Page, served: tuple[str, str, Path]) -> None:
    base, token, db = served
    page.goto(f"{base}#token={token}")
    assert "token" not in page.url  # taken out of the address bar once kept
    page.goto(f"{base}q/causal-attention.html")
    _replace_code(page, REFERENCE)
    page.keyboard.press("Control+Enter")
    headline = page.locator("#ed-result .ed-headline")
    expect(headline).to_have_attribute("data-status", "passed", timeout=120_000)
    expect(page.locator("#ed-result .ed-checks li.bad")).to_have_count(0)
    expect(page.locator('.mark .practice [data-practice="mastered"]')).to_be_visible()  # the progress view

    _replace_code(page, QUERY_AXIS)
    page.locator("#ed-run").click()
    expect(page.locator("#ed-result .ed-running")).to_be_visible()  # the progress indicator while it runs
    expect(headline).to_have_attribute("data-status", "failed", timeout=120_000)
    assert "softmax-query-axis" in page.locator(".ed-diagnosis").inner_text()
    assert "Softmax over the query axis" in page.locator(".ed-diagnosis").inner_text()
    failing = page.locator('.ed-checks li[data-check="causal_future_ignored"]')
    expected, actual = (failing.locator(f'[data-pattern="{k}"] svg rect') for k in ("expected", "actual"))
    assert expected.count() == 36 and actual.count() == 36  # the 6 x 6 square case, drawn cell by cell
    on = [failing.locator(f'[data-pattern="{k}"] svg rect.on').count() for k in ("expected", "actual")]
    assert on == [21, 21]  # causal: 1 + ... + 6 keys; the leak runs through later queries, not through keys
    values = page.locator('.ed-checks li[data-check="values"] .ed-fail').inner_text()
    assert "case" in values and "seed" in values and "worst" in values  # the worst failing case, with its seed
    expect(page.locator(".ed-hint.new")).to_have_count(1)  # a failure unlocks a hint

    rows = sqlite3.connect(db).execute("select question_id, passed, source from grades").fetchall()
    assert sorted(rows) == [("causal-attention", 0, "grade"), ("causal-attention", 1, "grade")]
    stats = CliRunner().invoke(cli, ["stats", "--db", str(db)])
    assert stats.exit_code == 0 and "Masks and causality" in stats.output, stats.output  # the topic, by name
    expect(page.locator('.mark .practice [data-practice="studied"]')).to_be_visible()  # the latest grade failed
    expect(page.locator('.mark .practice [data-practice="mastered"]')).to_be_hidden()
    page.goto(f"{base}index.html")  # the home page shows the terminal's status too
    expect(page.locator('.qi[data-id="causal-attention"]')).to_have_attribute("data-status", "studied")


def test_a_crash_is_shown_as_a_crash(page: Page, served: tuple[str, str, Path]) -> None:
    base, token, _ = served
    page.goto(f"{base}q/causal-attention.html#token={token}")
    crash = "import os\n\n\ndef causal_attention(q, k, v, scale=None):\n    os._exit(3)\n"
    _replace_code(page, crash)
    page.keyboard.press("Control+Enter")
    headline = page.locator("#ed-result .ed-headline")
    expect(headline).to_have_attribute("data-status", "crashed", timeout=120_000)
    assert "Crashed" in headline.inner_text()


def test_the_api_refuses_what_the_page_would_never_send(page: Page, served: tuple[str, str, Path]) -> None:
    base, token, _ = served
    body = {"question": "causal-attention", "code": REFERENCE}
    good = {"X-Attnbank-Token": token, "Origin": base.rstrip("/")}
    assert page.request.post(f"{base}api/grade", data=body, headers={"Origin": base.rstrip("/")}).status == 403
    assert page.request.post(f"{base}api/grade", data=body,
                             headers={**good, "Origin": "http://attacker.example"}).status == 403
    big = {"question": "causal-attention", "code": "#" * 300_000}
    assert page.request.post(f"{base}api/grade", data=big, headers=good).status == 413


def test_offline_the_editor_keeps_the_code_and_says_how_to_run_it(page: Page, tmp_path: Path) -> None:
    build(load_bank(FIXTURE), tmp_path / "out")
    page.goto((tmp_path / "out" / "q" / "toy-softmax.html").as_uri())
    expect(page.locator("#ed-offline")).to_be_visible()
    assert "attnbank site serve" in page.locator("#ed-offline").inner_text()
    expect(page.locator("#ed-run")).to_be_hidden()
    _replace_code(page, "def softmax(x):\n    return x\n")
    page.reload()
    assert "return x" in _editor(page).inner_text()
    page.locator("#ed-reset").click()
    assert "raise NotImplementedError" in _editor(page).inner_text()
    page.reload()
    assert "raise NotImplementedError" in _editor(page).inner_text()
