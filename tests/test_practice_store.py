"""The progress database: migrations, concurrent writers, a crash mid-review, foreign files, export/import."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from grader.errors import AttnbankError
from grader.practice.exchange import export_progress, import_progress
from grader.practice.migrations import MIGRATIONS
from grader.practice.record import record_grade, record_rating
from grader.practice.scheduler import replay
from grader.practice.store import APPLICATION_ID, Store, StoreError, question_status

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _env(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTNBANK_DB", str(tmp_path / "default.db"))


def _run_py(code: str, *args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


# ------------------------------------------------------------------ migrations


def test_fresh_database_is_migrated_and_marked(tmp_path):
    path = tmp_path / "p.db"
    with Store.open(path) as store:
        assert store.version() == len(MIGRATIONS)
        tables = {r[0] for r in store.conn.execute("select name from sqlite_master where type = 'table'")}
        assert {"reviews", "grades", "cards"} <= tables
        assert store.conn.execute("pragma application_id").fetchone()[0] == APPLICATION_ID
        assert store.conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    with Store.open(path) as store:  # reopening applies nothing
        assert store.migrate() == []


def _m002_add_note(conn: sqlite3.Connection) -> None:
    conn.execute("alter table reviews add column note text")


def _m003_broken(conn: sqlite3.Connection) -> None:
    conn.execute("create table half_done (x)")
    raise RuntimeError("boom")


def test_migrates_forward_and_keeps_data(tmp_path):
    path = tmp_path / "p.db"
    with Store.open(path) as store:
        record_rating(store, "why-scale", 3, T0, "practice")
    with Store.open(path, migrations=[*MIGRATIONS, _m002_add_note]) as store:
        assert store.version() == len(MIGRATIONS) + 1
        cols = [r[1] for r in store.conn.execute("pragma table_info(reviews)")]
        assert "note" in cols
        assert [r.rating for r in store.reviews()] == [3]
        assert store.card("why-scale") is not None


def test_failed_migration_rolls_back(tmp_path):
    path = tmp_path / "p.db"
    Store.open(path).close()
    with pytest.raises(RuntimeError, match="boom"):
        Store.open(path, migrations=[*MIGRATIONS, _m002_add_note, _m003_broken])
    with Store.open(path, migrations=[*MIGRATIONS, _m002_add_note]) as store:
        assert store.version() == len(MIGRATIONS) + 1  # m002 committed, m003 not
        assert not store.conn.execute("select 1 from sqlite_master where name = 'half_done'").fetchone()


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "p.db"
    Store.open(path, migrations=[*MIGRATIONS, _m002_add_note]).close()
    with pytest.raises(StoreError, match="newer than this attnbank knows"):
        Store.open(path)


# ------------------------------------------------------------------ foreign and corrupt files


def test_text_file_is_refused_and_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("my precious notes\n")
    with pytest.raises(StoreError, match="not SQLite"):
        Store.open(path)
    assert path.read_text() == "my precious notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_foreign_sqlite_is_refused_and_untouched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("create table photos (id integer primary key, name text)")
    conn.execute("insert into photos (name) values ('cat.jpg')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another application"):
        Store.open(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


def test_cli_reports_a_corrupt_database_in_one_line(tmp_path):
    path = tmp_path / "bad.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    before = path.read_bytes()
    proc = subprocess.run([sys.executable, "-m", "grader", "stats", "--db", str(path)], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "left untouched" in lines[0]
    assert path.read_bytes() == before


# ------------------------------------------------------------------ concurrency and crashes

WRITER = """
    import sys, time
    from datetime import datetime, timedelta, timezone
    from pathlib import Path
    from grader.practice.record import record_grade, record_rating
    from grader.practice.store import Store
    db, name, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    while not go.exists():
        time.sleep(0.01)
    t0 = datetime(2026, 3, 1, tzinfo=timezone.utc) + timedelta(microseconds=1 if name == "b" else 2)
    for i in range(40):
        with Store.open(db) as store:  # a fresh connection each time, like separate commands
            now = t0 + timedelta(seconds=i)
            record_rating(store, f"{name}-{i % 4}", 3, now, "practice")
            record_rating(store, "shared", 3, now, "practice")
            record_grade(store, "sdpa", i % 2 == 0, "passed" if i % 2 == 0 else "failed", now, name)
    print("done")
"""


def test_two_processes_write_concurrently(tmp_path):
    db, go = tmp_path / "p.db", tmp_path / "go"
    Store.open(db).close()
    procs = [_run_py(WRITER, str(db), name, str(go)) for name in ("a", "b")]
    go.touch()
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert out.strip() == "done"
    with Store.open(db) as store:
        reviews = store.reviews()
        assert len([r for r in reviews if r.question_id == "shared"]) == 80
        assert len([r for r in reviews if r.question_id.startswith(("a-", "b-"))]) == 80
        assert len(store.grades()) == 80
        assert set(store.cards()) == {"shared", "sdpa"} | {f"{n}-{i}" for n in "ab" for i in range(4)}
        assert store.conn.execute("pragma integrity_check").fetchone()[0] == "ok"


CRASHER = """
    import sys, time
    from datetime import datetime, timezone
    from pathlib import Path
    from grader.practice import store as st
    from grader.practice.record import record_rating
    put = st.Store._put_card
    def put_then_hang(self, qid, card):
        put(self, qid, card)  # the review row and the new card are written, not yet committed
        print("inside", flush=True)
        time.sleep(60)
    st.Store._put_card = put_then_hang
    with st.Store.open(Path(sys.argv[1])) as store:
        record_rating(store, "why-scale", 1, datetime(2026, 3, 2, tzinfo=timezone.utc), "practice")
"""


def test_killed_mid_review_loses_nothing_and_writes_nothing_half(tmp_path):
    db = tmp_path / "p.db"
    with Store.open(db) as store:
        before = record_rating(store, "why-scale", 3, T0, "practice")
    proc = _run_py(CRASHER, str(db))
    assert proc.stdout.readline().strip() == "inside"
    # the transaction holds the write lock: another writer waits rather than seeing half a review
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    with Store.open(db) as store:
        assert store.conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert [(r.rating, r.reviewed_at) for r in store.reviews()] == [(3, "2026-03-01T09:00:00.000000+00:00")]
        assert store.card("why-scale").to_json() == before.to_json()
        record_rating(store, "why-scale", 3, T0 + timedelta(days=1), "practice")  # and it is writable
        assert len(store.reviews()) == 2


# ------------------------------------------------------------------ status, export, import


def test_question_status(tmp_path):
    db = tmp_path / "p.db"
    assert question_status(db) == {}
    assert not db.exists()
    with Store.open(db) as store:
        record_rating(store, "learning-one", 3, T0, "practice")
        when = T0
        for _ in range(6):  # Good, again and again at the due time: stability passes 21 days
            card = record_rating(store, "strong-one", 3, when, "practice")
            when = card.due
        assert card.stability >= 21
        record_grade(store, "coded", True, "passed", T0, "grade")
        record_grade(store, "coded-then-broke", True, "passed", T0, "grade")
        record_grade(store, "coded-then-broke", False, "failed", T0 + timedelta(hours=1), "grade")
        record_grade(store, "never-passed", False, "failed", T0, "watch")
    assert question_status(db, ids=["untouched", "strong-one"]) == {
        "untouched": "new", "learning-one": "learning", "strong-one": "mastered", "coded": "mastered",
        "coded-then-broke": "learning", "never-passed": "learning"}


def test_export_import_round_trip_and_merge(tmp_path):
    a, b, dump = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "progress.json"
    with Store.open(a) as store:
        for i, rating in enumerate([3, 1, 3, 4]):
            record_rating(store, "why-scale", rating, T0 + timedelta(days=i), "practice")
        record_grade(store, "sdpa", True, "passed", T0, "watch")
        assert export_progress(store, dump) == {"reviews": 5, "grades": 1}
        card_a = store.card("why-scale")
    doc = json.loads(dump.read_text())
    assert doc["format"] == "attnbank-progress" and doc["version"] == 1
    with Store.open(b) as store:
        record_rating(store, "why-scale", 2, T0 + timedelta(days=10), "practice")  # only in b
        assert import_progress(store, dump) == {"reviews": 5, "grades": 1}
        assert import_progress(store, dump) == {"reviews": 0, "grades": 0}  # no duplicates
        log = store.reviews("why-scale")
        assert [r.rating for r in log] == [3, 1, 3, 4, 2]
        expected = replay("why-scale", [(r.rating, datetime.fromisoformat(r.reviewed_at)) for r in log])
        assert store.card("why-scale").to_json() == expected.to_json()
        assert store.card("why-scale").to_json() != card_a.to_json()
        assert store.card("sdpa") is not None and len(store.grades()) == 1


def test_import_rejects_other_json(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}')
    with Store.open(tmp_path / "p.db") as store, pytest.raises(AttnbankError, match="not an attnbank progress export"):
        import_progress(store, bad)
