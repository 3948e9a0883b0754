"""Practice sessions as Anki users expect them: learning steps, undo, daily limits, drills, leeches."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from click.testing import CliRunner
from fsrs import State
from test_practice import T0, bank_root, env, logged, practice  # noqa: F401 (fixtures)

from grader.cli import cli
from grader.practice.record import record_rating
from grader.practice.store import Store


def test_a_failed_card_comes_back_in_the_same_session(tmp_path):
    # score-memory wrong (Again), mask-polarity right; then score-memory returns (learning step) and is right
    result = practice(tmp_path, "1\nBC\n4\nbc\n4\n", "--kind", "quiz")
    assert result.exit_code == 0, result.output
    assert logged(tmp_path)[:3] == [("score-memory", 1), ("mask-polarity", 3), ("score-memory", 3)]
    assert "score-memory · Quiz · attention-basics · learning" in result.output
    assert "rated Again → due in 1m" in result.output


def test_a_new_card_rated_good_returns_until_it_graduates(tmp_path):
    result = practice(tmp_path, "3\n3\n3\n", "--kind", "concept")
    assert logged(tmp_path) == [("why-scale", 3), ("why-scale", 3)]  # step 10 min, then graduated
    with Store.open(tmp_path / "progress.db") as store:
        assert store.card("why-scale").state == State.Review
    assert "1/1" in result.output and "2/2" in result.output  # the queue grew by the learning card


def test_the_end_message_never_shows_a_past_due_time(tmp_path):
    practice(tmp_path, "3\n", "--kind", "concept")  # why-scale: Good, due in 10 min
    later = practice(tmp_path, "q\n", "--kind", "concept", now=T0 + timedelta(days=2))
    assert "1 card(s) are due now: run attnbank practice again." in later.output
    assert "Next card due" not in later.output
    soon = practice(tmp_path, "", "--kind", "quiz", now=T0 + timedelta(days=2))  # nothing new in quizzes?
    assert "Next card due" not in soon.output or "in " in soon.output


def test_undo_takes_back_the_last_rating_and_asks_again(tmp_path):
    result = practice(tmp_path, "1\nu\n4\n", "--kind", "quiz")  # wrong, undo, then right
    assert result.exit_code == 0, result.output
    assert "Undone: Size of the score matrix (Again); here it is again." in result.output
    assert logged(tmp_path) == [("score-memory", 3)]
    with Store.open(tmp_path / "progress.db") as store:
        assert store.card("score-memory").step == 1  # as if the Again had never been given
    result = practice(tmp_path, "u\n", "--kind", "concept", "--db", str(tmp_path / "other.db"))
    assert "Nothing to undo in this session." in result.output


def test_undo_of_a_first_rating_removes_the_card(tmp_path):
    practice(tmp_path, "2\nu\nq\n", "--kind", "concept")
    assert logged(tmp_path) == []
    with Store.open(tmp_path / "progress.db") as store:
        assert store.card("why-scale") is None


def test_rating_keys_show_the_intervals(tmp_path):
    result = practice(tmp_path, "4\n", "--kind", "concept")
    assert "Rate: [1] Again 1m  [2] Hard 6m  [3] Good 10m  [4] Easy 8d" in result.output
    zh = practice(tmp_path, "q\n", "--kind", "concept", "--lang", "zh", "--db", str(tmp_path / "zh.db"))
    assert "[1] 重来 1分钟" in zh.output and "[4] 简单 8天" in zh.output


def test_daily_new_limit_is_kept_per_local_day(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")  # UTC+8: the study day starts at 20:00 UTC
    import time

    from grader.practice.planner import day_start

    time.tzset()
    try:
        evening = datetime(2026, 3, 1, 19, 0, tzinfo=timezone.utc)  # 03:00 in Shanghai: still Feb 28's study day
        assert day_start(evening) == datetime(2026, 2, 28, 20, 0, tzinfo=timezone.utc)
        first = practice(tmp_path, "4\n", "--new", "1", now=evening)
        assert logged(tmp_path) == [("score-memory", 3)]
        same_day = practice(tmp_path, "", "--new", "1", now=evening + timedelta(minutes=30))
        # only the learning card comes back: no new card before the local day ends
        assert "1/1  Size of the score matrix" in same_day.output and "· due" in same_day.output
        assert "Daily limits reached: 3 new" in same_day.output
        next_day = practice(tmp_path, "q\n", "--new", "1", now=evening + timedelta(hours=1, minutes=1))
        # 04:01 in Shanghai, a new study day: the due learning card, then one new card
        assert "1/2  Size of the score matrix" in next_day.output and "reached: 2 new" in next_day.output
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert "Session over: 1 reviewed" in first.output


def test_summary_reports_accuracy_time_and_pending_drills(tmp_path):
    result = practice(tmp_path, "4\nn\n1\nq\n")
    out = result.output.replace("\n", " ")
    assert "Session over: 2 reviewed (Again 1, Good 1), 50% not Again" in out
    assert "Drill pending: sdpa: attnbank watch sdpa" in out and f"--db {tmp_path / 'progress.db'}" in out


def test_skipped_drill_waits_until_tomorrow(tmp_path):
    practice(tmp_path, "n\nq\n", "--kind", "coding")
    assert logged(tmp_path) == []
    again = practice(tmp_path, "", "--kind", "coding", now=T0 + timedelta(hours=2))
    assert "Nothing to practise" in again.output
    tomorrow = practice(tmp_path, "q\n", "--kind", "coding", now=T0 + timedelta(days=1))
    assert "1/1  Implement scaled dot-product attention" in tomorrow.output


def test_a_drill_is_graded_from_inside_the_session_and_its_review_is_a_fresh_attempt(tmp_path):
    from test_practice import _reference

    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "sdpa.py").write_text("def scaled_dot_product_attention(q, k, v, mask=None, scale=None):\n"
                                       "    return q\n")
    wrong = practice(tmp_path, "g\nh\nq\n", "--kind", "coding")
    assert "sdpa: FAILED" in wrong.output and "Hint 1 of 3" in wrong.output and "Hint 2 of 3" in wrong.output
    (workspace / "sdpa.py").write_text(_reference())
    passed = practice(tmp_path, "g\n", "--kind", "coding", now=T0 + timedelta(minutes=5))
    assert "sdpa: PASSED" in passed.output and "Review recorded (Good)" in passed.output
    with Store.open(tmp_path / "progress.db") as store:
        card = store.card("sdpa")
        assert card.due - (T0 + timedelta(minutes=5)) >= timedelta(days=1)  # no 10-minute learning step
        assert [(g.passed, g.source) for g in store.grades()] == [(False, "practice"), (True, "practice")]
    review = practice(tmp_path, "q\n", "--kind", "coding", now=card.due)
    assert "A fresh attempt: your previous file was moved to" in review.output.replace("\n", "")
    assert "raise NotImplementedError" in (workspace / "sdpa.py").read_text()
    (kept,) = (workspace / "old").iterdir()
    assert kept.read_text() == _reference()


def test_practice_one_id_and_by_difficulty(tmp_path):
    result = practice(tmp_path, "3\n", "--id", "why-scale")
    assert "1/1  Why divide" in result.output
    result = practice(tmp_path, "4\n", "--difficulty", "medium", "--db", str(tmp_path / "d.db"))
    assert "1/1  Size of the score matrix" in result.output  # the fixture's one medium question


def test_a_leech_is_flagged_and_can_be_suspended(tmp_path):
    with Store.open(tmp_path / "progress.db") as store:
        when = T0
        for _ in range(7):
            when = record_rating(store, "why-scale", 1, when, "practice").due
    result = practice(tmp_path, "1\nq\n", "--kind", "concept", now=when)
    assert "Leech: rated Again 8 times" in result.output
    assert CliRunner().invoke(cli, ["suspend", "why-scale"]).exit_code == 0
    hidden = practice(tmp_path, "", "--kind", "concept", now=when + timedelta(days=1))
    assert "Nothing to practise" in hidden.output
    assert CliRunner().invoke(cli, ["unsuspend", "why-scale"]).exit_code == 0
    back = practice(tmp_path, "q\n", "--kind", "concept", now=when + timedelta(days=1))
    assert "why-scale" in back.output
    assert CliRunner().invoke(cli, ["suspend", "nope"]).exit_code == 2


def test_time_spent_is_logged_and_exported(tmp_path):
    practice(tmp_path, "3\n", "--kind", "concept")
    dump = tmp_path / "p.json"
    assert CliRunner().invoke(cli, ["progress", "export", str(dump)]).exit_code == 0
    (review,) = json.loads(dump.read_text())["reviews"]
    assert isinstance(review["took_ms"], int) and review["took_ms"] >= 0


def test_list_has_a_status_column(tmp_path):
    from grader.practice.record import record_grade

    with Store.open(tmp_path / "progress.db") as store:
        record_rating(store, "why-scale", 3, T0, "practice")
        record_grade(store, "sdpa", True, "passed", T0, "grade")
    result = CliRunner().invoke(cli, ["list"])
    rows = {line.split()[0]: line.split()[4] for line in result.output.splitlines()[2:] if line.count("  ") > 3}
    assert rows == {"score-memory": "new", "sdpa": "passed", "why-scale": "learning", "mask-polarity": "new"}
    data = json.loads(CliRunner().invoke(cli, ["list", "--json", "--db", str(tmp_path / "none.db")]).output)
    assert {q["status"] for q in data["questions"]} == {"new"}
    zh = CliRunner().invoke(cli, ["list", "--lang", "zh"]).output
    assert "已通过" in zh and "学习中" in zh


def test_stats_of_the_real_bank_fit_a_40_row_screen(tmp_path, monkeypatch):
    from test_practice import ROOT

    from grader.bank import load_bank

    monkeypatch.setenv("ATTNBANK_ROOT", str(ROOT))
    bank = load_bank()
    with Store.open(tmp_path / "progress.db") as store:
        for i, q in enumerate(q for q in bank.questions if q.kind != "coding"):
            if i % 4 == 0:  # about a quarter of the bank, spread over most topics
                record_rating(store, q.id, 1 + i % 3, T0 - timedelta(days=i % 9), "practice")
    for width in ("80", "120"):
        monkeypatch.setenv("COLUMNS", width)
        for lang in ("en", "zh"):
            result = CliRunner().invoke(cli, ["stats", "--lang", lang, "--now", T0.isoformat()])
            assert result.exit_code == 0, result.output
            assert len(result.output.splitlines()) <= 40, (width, lang, result.output)
    assert "and " in result.output or "另有" in result.output or len(bank.topics) <= 10


def test_drill_keys_edit_reset_and_hint(tmp_path, monkeypatch):
    from test_practice import ROOT

    reference = ROOT / "solutions" / "sdpa" / "reference.py"
    monkeypatch.setenv("EDITOR", f"cp {reference}")  # an "editor" that writes the solution into the file
    monkeypatch.delenv("VISUAL", raising=False)
    result = practice(tmp_path, "e\nh\nr\nq\n", "--kind", "coding")
    assert result.exit_code == 0, result.output
    file = tmp_path / "ws" / "sdpa.py"
    assert "raise NotImplementedError" in file.read_text()  # r: the starter again
    (old,) = (tmp_path / "ws" / "old").iterdir()
    assert old.read_text() == reference.read_text()  # what e wrote was moved aside, not lost
    assert "Hint 1 of 3" in result.output  # h: the first hint, on request
    monkeypatch.delenv("EDITOR")
    result = practice(tmp_path, "e\nq\n", "--kind", "coding")
    assert "Set $EDITOR (or $VISUAL)" in result.output
