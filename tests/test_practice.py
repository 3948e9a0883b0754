"""Practice mode end to end: FSRS scheduling, scripted and real-terminal sessions, watch, grade, stats."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from fsrs import Card, Rating, Scheduler
from rich.console import Console

from grader.bank import load_bank
from grader.cli import cli
from grader.practice.record import record_rating
from grader.practice.scheduler import card_id, replay, schedule
from grader.practice.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "practice_bank"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
NEW_ORDER = ["score-memory", "sdpa", "why-scale", "mask-polarity"]  # the fixture bank, in topic order


@pytest.fixture(scope="session")
def bank_root(tmp_path_factory) -> Path:
    """The small fixture bank plus the real sdpa question and solutions, copied so they cannot drift."""
    root = tmp_path_factory.mktemp("practice_bank")
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    shutil.copy(ROOT / "questions/attention-basics/sdpa.yaml", root / "questions/attention-basics/sdpa.yaml")
    shutil.copytree(ROOT / "solutions/sdpa", root / "solutions/sdpa")
    return root


@pytest.fixture(autouse=True)
def env(tmp_path, monkeypatch, bank_root):
    values = {"ATTNBANK_ROOT": str(bank_root), "ATTNBANK_DB": str(tmp_path / "progress.db"),
              "ATTNBANK_WORKSPACE": str(tmp_path / "ws"), "COLUMNS": "100", "NO_COLOR": "1"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def practice(tmp_path: Path, answers: str, *args: str, now: datetime = T0):
    script = tmp_path / "answers.txt"
    script.write_text(answers, encoding="utf-8")
    return CliRunner().invoke(cli, ["practice", "--answers", str(script), "--now", now.isoformat(), *args])


def logged(tmp_path: Path) -> list[tuple[str, int]]:
    with Store.open(tmp_path / "progress.db", create=False) as store:
        return [(r.question_id, r.rating) for r in store.reviews()]


# ------------------------------------------------------------------ scheduling


def test_schedule_matches_fsrs_for_a_sequence_of_ratings():
    fsrs = Scheduler(enable_fuzzing=False)
    ours: Card | None = None
    theirs = Card(card_id=card_id("why-scale"), due=T0)
    when = T0
    history, stability = [], []
    for rating in [3, 3, 1, 2, 3, 4, 3, 1, 3]:
        before = ours.to_json() if ours else None
        ours = schedule(ours, "why-scale", rating, when)
        theirs, _ = fsrs.review_card(theirs, Rating(rating), review_datetime=when)
        assert ours.to_dict() == theirs.to_dict()
        assert before is None or before != ours.to_json()  # a new card each step, ...
        history.append((rating, when))
        stability.append(ours.stability)
        when = ours.due + timedelta(hours=1)
    assert stability[4] < stability[5] < stability[6] > stability[7]  # Easy, Good grow it; Again cuts it
    assert replay("why-scale", reversed(history)).to_dict() == ours.to_dict()  # order-independent input


def test_schedule_is_pure():
    card = schedule(None, "q", 3, T0)
    frozen = card.to_json()
    first = schedule(card, "q", 4, T0 + timedelta(days=1))
    assert card.to_json() == frozen  # the input card is not changed
    assert schedule(card, "q", 4, T0 + timedelta(days=1)).to_json() == first.to_json()


def test_card_ids_are_stable_across_processes():
    code = "from grader.practice.scheduler import card_id; print(card_id('sdpa'))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONHASHSEED": "123"}, check=True).stdout
    assert int(out) == card_id("sdpa") > 0
    assert card_id("sdpa") != card_id("sdpa-2")


# ------------------------------------------------------------------ scripted sessions


def test_scripted_session_rates_every_kind(tmp_path):
    result = practice(tmp_path, "# numeric quiz\n4.0\nn  # coding: next\n\n2\nc, b\n")
    assert result.exit_code == 0, result.output
    assert logged(tmp_path) == [("score-memory", 3), ("why-scale", 2), ("mask-polarity", 3)]
    out = result.output
    assert out.index("score-memory") < out.index("sdpa") < out.index("why-scale") < out.index("mask-polarity")
    assert "Right" in out and "rated Good" in out
    assert "True marks padding keys to ignore." in out  # every choice's why is shown
    assert "The dot product of two unit-variance vectors" in out  # the concept's model answer
    starter = tmp_path / "ws" / "sdpa.py"
    assert starter.is_file() and f"attnbank watch sdpa {starter}" in out.replace("\n", "")
    assert "Session over: 3 reviewed" in out


def test_wrong_and_partial_answers_are_rated_again(tmp_path):
    result = practice(tmp_path, "4096\n1\nagain\nB\n")
    assert result.exit_code == 0, result.output
    assert logged(tmp_path) == [("score-memory", 1), ("sdpa", 1), ("why-scale", 1), ("mask-polarity", 1)]
    assert result.output.count("Wrong") == 2


def test_quit_saves_and_due_cards_come_first(tmp_path):
    result = practice(tmp_path, "4\nq\n")
    assert result.exit_code == 0
    assert logged(tmp_path) == [("score-memory", 3)]
    # ten minutes later: the quiz is due again (learning step) and comes before the three new cards
    later = practice(tmp_path, "4\nn\neasy\nBC\n", now=T0 + timedelta(minutes=11))
    assert later.exit_code == 0, later.output
    assert "1/4  Size of the score matrix" in later.output and "· due" in later.output
    assert logged(tmp_path)[1:] == [("score-memory", 3), ("why-scale", 4), ("mask-polarity", 3)]
    # right after: nothing due, no new cards left but the coding drill
    again = practice(tmp_path, "q\n", "--kind", "concept", now=T0 + timedelta(minutes=12))
    assert "Nothing to practise" in again.output and "Next card due" in again.output


def test_filters_and_new_limit(tmp_path):
    result = practice(tmp_path, "1\n", "--topic", "masking")
    assert result.output.splitlines()[1].startswith("mask-polarity · Quiz · masking · new")
    assert "1/1" in result.output
    result = practice(tmp_path, "", "--new", "0")
    assert "Nothing to practise" in result.output
    result = practice(tmp_path, "", "--topic", "nope")
    assert result.exit_code == 2 and "unknown topic 'nope'" in result.output


def test_answers_file_errors_and_end(tmp_path):
    result = practice(tmp_path, "4\nzzz\n")
    assert result.exit_code == 2
    assert "answers.txt:2: got 'zzz': expected one of g, e, h, r, n, 1, u or q here" in result.output
    assert logged(tmp_path) == [("score-memory", 3)]  # what was answered before is kept
    result = practice(tmp_path, "# the quiz\nmany\n", "--kind", "quiz", "--db", str(tmp_path / "other.db"))
    assert result.exit_code == 2 and "answers.txt:2: got 'many': Give a number" in result.output
    result = practice(tmp_path, "n\n", "--kind", "coding")
    assert result.exit_code == 0 and "The answers file ended" not in result.output
    result = practice(tmp_path, "3\n")  # the skipped drill waits for tomorrow: the concept card, then the end
    assert "1/2  Why divide" in result.output and "The answers file ended; session saved." in result.output


def test_chinese_ui(tmp_path):
    result = practice(tmp_path, "重来\n", "--lang", "zh", "--kind", "concept")
    assert result.exit_code == 0, result.output
    assert logged(tmp_path) == [("why-scale", 1)]
    for word in ("新卡片", "参考答案", "[1] 重来", "[2] 困难", "[3] 良好", "[4] 简单", "本次复习结束"):
        assert word in result.output


def test_without_a_terminal_practice_exits_2_at_once(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "grader", "practice"], cwd=ROOT, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("error: practice needs a terminal (stdin is not a TTY); "
                                   "for a scripted session pass --answers FILE")
    assert not (tmp_path / "progress.db").exists()


# ------------------------------------------------------------------ stats and export/import commands


def test_stats_and_progress_commands(tmp_path):
    with Store.open(tmp_path / "progress.db") as store:
        when = T0
        for _ in range(6):  # why-scale becomes mastered
            when = record_rating(store, "why-scale", 3, when, "practice").due
        record_rating(store, "mask-polarity", 1, T0, "practice")
        record_rating(store, "mask-polarity", 1, T0 + timedelta(days=1), "practice")
    result = CliRunner().invoke(cli, ["stats", "--now", (T0 + timedelta(days=1, hours=1)).isoformat()])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Reviews per day" in out and "03-01" in out and "03-02" in out
    # same-day learning steps are not repeats: why-scale's four later Goods and mask-polarity's next-day Again
    assert "Retention: 80% of 5 repeat reviews (a day or more apart) not rated Again" in out
    assert "Due: 1 now, 0 of them overdue" in out  # mask-polarity (why-scale is far off)
    assert "Forecast: 03-02 1 · 03-03 0" in out
    assert "streak 2 day(s)" in out
    assert out.index("Masks and causality") < out.index("Attention fundamentals")  # weakest (most Again) first
    assert "Not started" not in out  # both fixture topics are started
    dump = tmp_path / "p.json"
    result = CliRunner().invoke(cli, ["progress", "export", str(dump)])
    assert result.exit_code == 0 and "exported 8 review(s) and 0 grade(s)" in result.output
    other = tmp_path / "other.db"
    result = CliRunner().invoke(cli, ["progress", "import", str(dump), "--db", str(other)])
    assert result.exit_code == 0 and "imported 8 new review(s)" in result.output
    result = CliRunner().invoke(cli, ["progress", "import", str(dump), "--db", str(other)])
    assert "imported 0 new review(s)" in result.output
    result = CliRunner().invoke(cli, ["progress", "import", str(dump), "--db", str(other), "--lang", "zh"])
    assert result.exit_code == 0 and "已导入 0 条新复习记录" in result.output
    result = CliRunner().invoke(cli, ["suspend", "why-scale", "--db", str(other), "--lang", "zh"])
    assert result.exit_code == 0 and result.output.strip() == "已暂停：why-scale"
    assert CliRunner().invoke(cli, ["progress", "path"]).output.strip() == str(tmp_path / "progress.db")


def test_stats_without_a_database(tmp_path):
    result = CliRunner().invoke(cli, ["stats", "--now", T0.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Total reviews: 0" in result.output and "no repeat reviews yet" in result.output
    assert "Due: 0 now" in result.output and "streak 0 day(s)" in result.output
    assert "Not started (2): Attention fundamentals; Masks and causality" in \
        result.output.replace("\n", " ")
    assert not (tmp_path / "progress.db").exists()  # stats only reads


# ------------------------------------------------------------------ grading: watch and grade


def _reference() -> str:
    return (ROOT / "solutions" / "sdpa" / "reference.py").read_text()


def test_grade_records_from_the_first_grade(tmp_path, env):
    answer = tmp_path / "mine.py"
    answer.write_text(_reference())
    run = [sys.executable, "-m", "grader", "grade", "sdpa", str(answer)]
    proc = subprocess.run([*run, "--no-record"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "progress" not in proc.stderr, proc.stdout + proc.stderr
    assert not (tmp_path / "progress.db").exists()  # --no-record: nothing is created
    proc = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "progress: review recorded" in proc.stderr, proc.stdout + proc.stderr
    with Store.open(tmp_path / "progress.db") as store:  # created by the first grade that records
        assert [(g.question_id, g.passed, g.source) for g in store.grades()] == [("sdpa", True, "grade")]
        assert [(r.question_id, r.rating, r.source) for r in store.reviews()] == [("sdpa", 3, "grade")]


def _watcher(tmp_path, source: str, db):
    from grader.practice.watch import Watcher
    from grader.sandbox import Settings

    file = tmp_path / "sdpa.py"
    file.write_text(source)
    out = io.StringIO()
    return Watcher(load_bank(), "sdpa", file, Settings(), Console(file=out, width=100), "en", db, lambda: T0), out


def test_watch_shows_the_hint_that_fits_the_failing_checks(tmp_path):
    from grader.loader import mistake_source

    bank = load_bank()
    q = bank.get("sdpa")
    wrong = {m.id: mistake_source(q, m, bank.solution_dir("sdpa")) for m in q.coding.mistakes}
    for mistake, hint in (("mask-inverted", 2), ("no-max-subtraction", 3), ("softmax-query-axis", 1)):
        watcher, out = _watcher(tmp_path, wrong[mistake], None)
        watcher.grade_once()
        shown = sorted(int(n) for n in re.findall(r"Hint (\d)", out.getvalue()))
        assert shown == [hint], (mistake, out.getvalue())
    assert not (tmp_path / "progress.db").exists()  # no database: nothing recorded


def test_next_hint_prefers_the_hint_naming_the_most_failing_checks():
    from grader.practice.watch import next_hint
    from grader.schema import Hint

    hints = [Hint(en="a", zh="甲", checks=["values"]), Hint(en="b", zh="乙", checks=["values", "finite"]),
             Hint(en="c", zh="丙")]
    assert next_hint(hints, [], {"values", "finite"}) == 1
    assert next_hint(hints, [], {"values"}) == 0  # a tie goes to the earlier hint
    assert next_hint(hints, [], {"memory"}) == 0  # none fits: the next in order
    assert next_hint(hints, [0, 1], {"values"}) == 2
    assert next_hint(hints, [0, 1, 2], {"values"}) is None


def test_watch_regrades_on_save_with_escalating_hints(tmp_path):
    from grader.practice.watch import Watcher, watch
    from grader.sandbox import Settings

    file = tmp_path / "ws" / "sdpa.py"
    file.parent.mkdir()
    file.write_text("def scaled_dot_product_attention(q, k, v, mask=None, scale=None):\n    return q\n")
    out = io.StringIO()
    db = tmp_path / "progress.db"
    ticks = iter(range(1000))
    watcher = Watcher(load_bank(), "sdpa", file, Settings(), Console(file=out, width=100), "en", db,
                      lambda: T0 + timedelta(minutes=next(ticks)))
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(watcher, stop), daemon=True)
    thread.start()

    def wait_grades(n: int) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if db.exists():
                with Store.open(db) as store:
                    if len(store.grades()) >= n:
                        return
            time.sleep(0.2)
        raise AssertionError(f"no grade {n}:\n{out.getvalue()}")

    def save(text: str) -> None:  # as editors do: write a temporary file, rename it over the old one
        tmp = file.with_suffix(".tmp")
        tmp.write_text(text)
        os.replace(tmp, file)

    try:
        wait_grades(1)
        save(_reference().replace(") * scale", ")"))  # forgets the scale: fails again
        wait_grades(2)
        save(_reference())
        wait_grades(3)
    finally:
        stop.set()
        thread.join(timeout=10)
    text = out.getvalue()
    assert text.count("FAILED") + text.count("ERROR") + text.count("INVALID") >= 2
    assert "Hint 1" in text and "Hint 2" in text and "PASSED" in text
    assert "Review recorded (Hard)" in text  # two hints were needed
    with Store.open(db) as store:
        assert [g.passed for g in store.grades()] == [False, False, True]
        assert [(r.question_id, r.rating, r.source) for r in store.reviews()] == [("sdpa", 2, "watch")]
