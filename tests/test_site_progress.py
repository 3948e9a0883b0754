"""The progress overview: `GET /api/grades` on a real loopback server (and its security rules), and the page in
Debian's Chromium from file:// (browser progress, quiz results) and from the server (grades of the database)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

# isort: off
from test_site_browser import _axe, browser, page, site  # noqa: F401  (fixtures; skips without Chromium/Playwright)
from playwright.sync_api import Page, expect
# isort: on
from test_site_serve import TOKEN, Server

from grader.bank import load_bank
from grader.practice.record import record_grade
from grader.practice.store import Store

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "site_bank"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def server(site: Path) -> Iterator[Server]:  # noqa: F811
    s = Server(site, waiting=1)
    yield s
    s.stop()


def _record(*grades: tuple[str, bool]) -> None:
    """Log grades, a minute apart, in the database this test's server reads (conftest gives each test one)."""
    with Store.open(Path(os.environ["ATTNBANK_DB"])) as store:
        for i, (qid, passed) in enumerate(grades):
            record_grade(store, qid, passed, "passed" if passed else "failed", T0 + timedelta(minutes=i), "grade")


def test_grades_summarise_the_grade_log_per_question(server: Server) -> None:
    assert json.loads(server.request("GET", "/api/grades")[2]) == {"grades": {}}  # no database yet
    _record(("toy-softmax", False), ("toy-softmax", True), ("other", True), ("other", False))
    status, _, body = server.request("GET", "/api/grades")
    grades = json.loads(body)["grades"]
    assert status == 200
    assert grades["toy-softmax"] == {"attempts": 2, "passes": 1, "passed": True,
                                     "last": (T0 + timedelta(minutes=1)).isoformat(timespec="microseconds")}
    assert grades["other"]["passed"] is False and grades["other"]["passes"] == 1  # the latest grade decides


@pytest.mark.parametrize("headers", [{"X_Attnbank_Token": None}, {"X_Attnbank_Token": "wrong"},
                                     {"Origin": "http://evil.example"}, {"Host": "evil.example"},
                                     {"Host": "localhost"}])
def test_grades_need_the_token_the_origin_and_the_host(server: Server, headers: dict[str, str | None]) -> None:
    _record(("toy-softmax", True))
    status, _, body = server.request("GET", "/api/grades", **headers)
    assert status == 403 and b"toy-softmax" not in body


def test_grades_take_no_path_and_no_other_method(server: Server) -> None:
    plain = server.request("GET", "/api/grades")
    assert server.request("GET", "/api/grades?db=/etc/passwd&path=../../x")[2] == plain[2]
    assert server.request("POST", "/api/grades", b"{}")[0] == 405


def _expected_next(done: set[str]) -> str:
    return next(q.id for q in load_bank(FIXTURE).questions if q.id not in done)


def _cells(pg: Page, topic: str) -> dict[str, str]:
    row = pg.locator(f'tr[data-topic="{topic}"]')
    return {k: row.locator(f'[data-k="{k}"]').inner_text() for k in ("studied", "mastered", "passed", "quiz")}


def test_overview_counts_browser_progress_and_quiz_results(page: Page, site: Path) -> None:  # noqa: F811
    base = site.as_uri() + "/"
    first = _expected_next(set())
    page.goto(base + "index.html")
    page.click('a[href="progress.html"]')  # linked from the home page
    expect(page.locator("#pg-next")).to_have_attribute("href", f"q/{first}.html")
    page.goto(base + f"q/{first}.html")
    page.click('.mark-btn[data-set="studied"]')
    page.goto(base + "q/gqa-groups.html")
    page.click("button.check")  # no answer: nothing is recorded
    assert page.evaluate("localStorage.getItem('attnbank.quiz.v1')") is None
    page.check(".choice:nth-of-type(1) input")
    page.check(".choice:nth-of-type(2) input")
    page.click("button.check")
    expect(page.locator(".verdict .ok")).to_be_visible()
    page.click('.mark-btn[data-set="mastered"]')
    recorded = json.loads(page.evaluate("localStorage.getItem('attnbank.quiz.v1')"))
    assert recorded["gqa-groups"]["ok"] is True and recorded["gqa-groups"]["tries"] == 1
    page.goto(base + "q/cache-bytes.html")
    page.fill("#num", "1")
    page.click("button.check")
    expect(page.locator(".verdict .bad")).to_be_visible()
    page.click(".mark .pg-link")  # every question page links to the overview
    page.wait_for_url("**/progress.html")
    expect(page.locator("tfoot tr").locator('[data-k="studied"]')).to_have_text("2")  # the table is filled in
    heads = load_bank(FIXTURE).select(topic="heads")
    assert _cells(page, "heads") == {"studied": "1", "mastered": "1", "passed": "–",
                                     "quiz": f"1 / {sum(q.kind == 'quiz' for q in heads)}"}
    assert _cells(page, "masks")["studied"] == ("1" if first == "mask-gallery" else "0")
    total = page.locator("tfoot tr")
    expect(total.locator('[data-k="studied"]')).to_have_text("2")
    expect(page.locator('li[data-q="gqa-groups"] .pg-st')).to_contain_text("right")
    expect(page.locator('li[data-q="cache-bytes"] .pg-st')).to_contain_text("wrong")
    expect(page.locator("#pg-server [data-state=offline]")).to_be_visible()
    nxt = _expected_next({first, "gqa-groups"})
    expect(page.locator("#pg-next")).to_have_attribute("href", f"q/{nxt}.html")
    page.click("#lang-toggle")
    expect(page.locator('li[data-q="gqa-groups"] .pg-st')).to_contain_text("答对")
    assert _axe(page) == []
    page.click("#theme-toggle")
    assert _axe(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways scroll


def test_overview_shows_the_grades_of_the_database_when_served(page: Page, server: Server) -> None:  # noqa: F811
    _record(("toy-softmax", False), ("toy-softmax", True))
    page.goto(f"http://{server.host}/progress.html#token={TOKEN}")
    expect(page.locator("#pg-server [data-state=ok]")).to_be_visible()
    coding = sum(q.kind == "coding" for q in load_bank(FIXTURE).select(topic="heads"))
    expect(page.locator('tr[data-topic="heads"] [data-k="passed"]')).to_have_text(f"1 / {coding}")
    expect(page.locator('li[data-q="toy-softmax"] .pg-st')).to_contain_text("passed")
    expect(page.locator('li[data-q="toy-softmax"] .pg-st')).to_contain_text("Mastered")  # the database's status


def test_overview_says_when_the_server_refuses_the_token(page: Page, server: Server) -> None:  # noqa: F811
    page.goto(f"http://{server.host}/progress.html#token=not-the-token")
    expect(page.locator("#pg-server [data-state=token]")).to_be_visible()
    expect(page.locator('tr[data-topic="heads"] [data-k="passed"]')).to_have_text("–")


def test_quiz_results_travel_with_export_and_import(page: Page, site: Path, tmp_path: Path) -> None:  # noqa: F811
    base = site.as_uri() + "/"
    page.goto(base + "q/cache-bytes.html")
    page.fill("#num", "1")
    page.click("button.check")
    page.goto(base + "index.html")
    with page.expect_download() as download:
        page.click("#export")
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported["quiz"]["cache-bytes"]["ok"] is False
    later = "2999-01-01T00:00:00.000Z"  # newer than the browser's own result: it wins
    exported["quiz"] = {"cache-bytes": {"ok": True, "tries": 3, "at": later},
                        "gqa-groups": {"ok": True, "tries": 1, "at": "2026-01-01T00:00:00.000Z"},
                        "toy-softmax": {"ok": "yes"}}  # malformed: ignored
    upload = tmp_path / "progress.json"
    upload.write_text(json.dumps(exported))
    page.set_input_files("#import", str(upload))
    expect(page.locator("#io-msg .ok")).to_be_visible()
    stored = json.loads(page.evaluate("localStorage.getItem('attnbank.quiz.v1')"))
    assert stored["cache-bytes"] == {"ok": True, "tries": 3, "at": later} and "toy-softmax" not in stored
    page.goto(base + "progress.html")
    quizzes = sum(q.kind == "quiz" for q in load_bank(FIXTURE).select(topic="heads"))
    expect(page.locator('tr[data-topic="heads"] [data-k="quiz"]')).to_have_text(f"2 / {quizzes}")
