"""Practice mode under bad conditions: unwritable or locked databases, exports onto the database, bad
paths and files, bad imports, racing creators; and the database each verb records into."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from click.testing import CliRunner
from test_practice import ROOT, T0, _reference, _watcher, bank_root, env, logged, practice  # noqa: F401

from grader.cli import cli
from grader.errors import AttnbankError
from grader.i18n import TEXT
from grader.practice import store as store_module
from grader.practice.exchange import import_progress
from grader.practice.record import record_rating
from grader.practice.store import Store, StoreError


def _without_root_powers() -> list[str]:
    """A command prefix under which file permissions apply, as for a normal user (root bypasses them)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot make a file read-only for the test")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


def _cli(*args: str, env_extra: dict[str, str] | None = None, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run([*_without_root_powers(), sys.executable, "-m", "grader", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env_extra or {})})


# ------------------------------------------------------------------ the database each verb records into


def test_grade_db_records_into_that_database_only(tmp_path):
    answer = tmp_path / "mine.py"
    answer.write_text(_reference())
    chosen = tmp_path / "chosen.db"
    Store.open(chosen).close()
    result = CliRunner().invoke(cli, ["grade", "sdpa", str(answer), "--db", str(chosen)])
    assert result.exit_code == 0, result.output
    with Store.open(chosen) as store:
        assert [(r.question_id, r.source) for r in store.reviews()] == [("sdpa", "grade")]
    assert not (tmp_path / "progress.db").exists()  # $ATTNBANK_DB was not touched


def test_practice_suggests_commands_with_its_db_and_language(tmp_path):
    db = tmp_path / "mine.db"
    result = practice(tmp_path, "n\n", "--kind", "coding", "--db", str(db), "--lang", "zh")
    text = result.output.replace("\n", "")
    file = tmp_path / "ws" / "sdpa.py"
    assert f"attnbank watch sdpa {file} --db {db} --lang zh" in text
    assert f"attnbank grade sdpa {file} --db {db} --lang zh" in text


def test_watch_checks_its_database_before_grading(tmp_path):
    file = tmp_path / "sdpa.py"
    file.write_text(_reference())
    bad = tmp_path / "notes.db"
    bad.write_text("not a database\n")
    result = CliRunner().invoke(cli, ["watch", "sdpa", str(file), "--db", str(bad)])
    assert result.exit_code == 2 and "not SQLite" in result.output and "PASSED" not in result.output


# ------------------------------------------------------------------ write errors after opening


def test_read_only_database_keeps_the_rating_and_says_so_in_one_line(tmp_path, env):  # noqa: F811
    db = tmp_path / "ro.db"
    with Store.open(db) as store:
        record_rating(store, "why-scale", 3, T0, "practice")
    db.chmod(0o444)
    answers = tmp_path / "a.txt"
    answers.write_text("4\nq\n")
    proc = _cli("practice", "--db", str(db), "--answers", str(answers), "--kind", "quiz", "--now", T0.isoformat(),
                env_extra={**env})
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Traceback" not in out
    assert sum("Not saved yet" in line for line in out.splitlines()) == 1
    (rescue,) = (tmp_path / "ws").glob("unsaved-ratings-*.json")
    assert "1 rating(s) could not be saved" in out.replace("\n", "")
    db.chmod(0o644)
    with Store.open(db) as store:  # the rescue file brings the rating back
        assert import_progress(store, rescue) == {"reviews": 1, "grades": 0}
        assert [(r.question_id, r.rating) for r in store.reviews()] == [("why-scale", 3), ("score-memory", 3)]


def test_grade_on_a_read_only_database_passes_with_one_warning(tmp_path):
    db = tmp_path / "ro.db"
    Store.open(db).close()
    db.chmod(0o444)
    answer = tmp_path / "mine.py"
    answer.write_text(_reference())
    proc = _cli("grade", "sdpa", str(answer), "--db", str(db))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "sdpa: PASSED" in proc.stdout and "Traceback" not in proc.stderr
    # without DAC override bubblewrap cannot run either: its one-line notice may precede the warning
    lines = [line for line in proc.stderr.strip().splitlines() if line != TEXT["jail_off"][0]]
    assert len(lines) == 1 and lines[0].startswith("warning: progress not recorded: cannot use the progress database")


def test_a_lock_held_elsewhere_keeps_the_ratings_and_retries(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 200)
    db = tmp_path / "progress.db"
    Store.open(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("begin immediate")  # another program holds the write lock
    try:
        result = practice(tmp_path, "4\nq\n", "--kind", "quiz")
    finally:
        holder.execute("rollback")
        holder.close()
    assert result.exit_code == 0, result.output
    assert "Not saved yet (cannot use the progress database" in result.output and "locked" in result.output
    assert "1 rating(s) could not be saved" in result.output.replace("\n", "")
    assert logged(tmp_path) == []
    # released during a session: the kept rating is written with the next one, in order
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("begin immediate")
    from grader.practice import session as session_module

    real = session_module.record_review
    calls = []

    def release_after_first(*args, **kw):
        calls.append(1)
        if len(calls) == 2 and holder.in_transaction:
            holder.execute("rollback")
        return real(*args, **kw)

    monkeypatch.setattr(session_module, "record_review", release_after_first)
    result = practice(tmp_path, "4\nbc\nq\n", "--kind", "quiz", now=T0 + timedelta(days=1))
    holder.close()
    assert result.exit_code == 0, result.output
    assert logged(tmp_path) == [("score-memory", 3), ("mask-polarity", 3)]
    assert "could not be saved" not in result.output


def test_store_write_errors_are_store_errors(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 100)
    db = tmp_path / "p.db"
    with Store.open(db) as store:
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("begin immediate")
        with pytest.raises(StoreError, match="database is locked"):
            record_rating(store, "why-scale", 3, T0, "practice")
        holder.execute("rollback")
        holder.close()
        assert store.reviews() == []


# ------------------------------------------------------------------ export


def test_export_into_a_missing_folder_is_one_line(tmp_path):
    Store.open(tmp_path / "progress.db").close()
    result = CliRunner().invoke(cli, ["progress", "export", str(tmp_path / "nodir" / "x.json")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"error: cannot write {tmp_path / 'nodir' / 'x.json'}: "
                                                  "No such file or directory"]


def test_export_refuses_to_overwrite_the_database_or_any_sqlite_file(tmp_path):
    db = tmp_path / "p.db"
    with Store.open(db) as store:
        record_rating(store, "why-scale", 3, T0, "practice")
    before = db.read_bytes()
    result = CliRunner().invoke(cli, ["progress", "export", str(db), "--db", str(db)])
    assert result.exit_code == 2 and "it is the progress database itself" in result.output
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    result = CliRunner().invoke(cli, ["progress", "export", str(other), "--db", str(db)])
    assert result.exit_code == 2 and "it is an SQLite database" in result.output
    assert db.read_bytes() == before
    with Store.open(db) as store:
        assert len(store.reviews()) == 1


# ------------------------------------------------------------------ paths and files


def test_db_in_a_missing_folder_is_refused_and_creates_nothing(tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "p.db"
    result = practice(tmp_path, "q\n", "--db", str(target))
    assert result.exit_code == 2 and "the folder" in result.output and "does not exist" in result.output
    assert not (tmp_path / "no").exists()


def test_the_default_location_still_gets_its_folders(tmp_path, monkeypatch):
    target = tmp_path / "data" / "attnbank" / "progress.db"
    monkeypatch.setattr(store_module, "user_dir_path", lambda: target)
    monkeypatch.delenv("ATTNBANK_DB")
    Store.open().close()
    assert target.is_file()


def test_an_empty_file_is_not_adopted(tmp_path):
    empty = tmp_path / "p.db"
    empty.touch()
    for args in (["stats", "--db", str(empty)], ["progress", "export", str(tmp_path / "x.json"), "--db", str(empty)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2 and "is empty, not a progress database" in result.output, args
    assert empty.read_bytes() == b""


CREATOR = """
    import sys, time
    from pathlib import Path
    from grader.practice.store import Store, StoreError
    folder, go = Path(sys.argv[1]), Path(sys.argv[2])
    while not go.exists():
        time.sleep(0.001)
    bad = 0
    for i in range(25):
        try:
            Store.open(folder / f"new_{i}.db").close()
        except StoreError as exc:
            bad += 1
            print(exc, file=sys.stderr)
    print(bad)
"""


def test_processes_creating_the_same_new_databases_all_succeed(tmp_path):
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(CREATOR), str(tmp_path), str(go)],
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(6)]
    import time

    time.sleep(2)  # let every process import and wait at the gate
    go.touch()
    results = [p.communicate(timeout=120) for p in procs]
    assert [out.strip() for out, _ in results] == ["0"] * 6, [err for _, err in results]
    assert not list(tmp_path.glob(".*.new*"))  # no temporary file left behind


def test_a_database_created_by_another_process_mid_check_is_not_foreign(tmp_path, monkeypatch):
    """The race of two first uses at once, made deterministic: while this process reads the new file's
    markers, another one creates and migrates the same database."""
    path = tmp_path / "new.db"
    connect = sqlite3.connect
    fired = []

    def other_process_migrates(statement: str) -> None:
        if "user_version" in statement and not fired:
            fired.append(statement)
            other = connect(path, isolation_level=None, timeout=10)
            Store(other, path).migrate()
            other.close()

    def connect_with_a_rival(*args, **kw):
        conn = connect(*args, **kw)
        conn.set_trace_callback(other_process_migrates)
        return conn

    monkeypatch.setattr(store_module.sqlite3, "connect", connect_with_a_rival)
    Store.open(path).close()
    assert fired
    monkeypatch.setattr(store_module.sqlite3, "connect", connect)
    with Store.open(path) as store:
        assert store.conn.execute("pragma integrity_check").fetchone()[0] == "ok"


# ------------------------------------------------------------------ import


@pytest.mark.parametrize("entry, problem", [
    ({"reviews": [{"question": "q", "rating": 3.9, "at": "2026-03-01T09:00:00+00:00", "source": "x"}]},
     "reviews[0] is malformed (rating 3.9 is not an integer 1-4)"),
    ({"grades": [{"question": "q", "at": "2026-03-01T09:00:00+00:00", "passed": "false", "status": "failed",
                  "source": "x"}]},
     "grades[0] is malformed (passed 'false' is not true or false)"),
    ({"reviews": [{"question": "q", "rating": 3, "at": "2126-03-01T09:00:00+00:00", "source": "x"}]},
     "is in the future"),
    ({"reviews": [{"question": "q", "rating": 3, "source": "x"}]}, "reviews[0] is malformed (missing 'at')"),
])
def test_import_refuses_bad_entries_and_names_them(tmp_path, entry, problem):
    dump = tmp_path / "x.json"
    dump.write_text(json.dumps({"format": "attnbank-progress", "version": 1, **entry}))
    with Store.open(tmp_path / "p.db") as store:
        with pytest.raises(AttnbankError, match=re.escape(problem)):
            import_progress(store, dump)
        assert store.reviews() == [] and store.grades() == []


# ------------------------------------------------------------------ watch counts only real attempts


def test_watch_ignores_the_untouched_starter_and_syntax_errors(tmp_path):
    from grader.bank import load_bank

    starter = load_bank().get("sdpa").coding.starter
    db = tmp_path / "progress.db"
    watcher, out = _watcher(tmp_path, "# attnbank: sdpa\n# grade with: ...\n\n" + starter, db)
    assert watcher.grade_once() is None
    assert "still the starter" in out.getvalue() and "Hint" not in out.getvalue()
    assert not db.exists() or Store.open(db).grades() == []
    name = "def scaled_dot_product_attention("
    watcher.file.write_text(_reference().replace(name, name + "("))  # a syntax error
    assert watcher.grade_once().status == "invalid"
    assert watcher.shown == [] and "Hint" not in out.getvalue()
    watcher.file.write_text(_reference().replace(") * scale", ")"))  # one real mistake
    assert not watcher.grade_once().passed
    assert len(watcher.shown) == 1
    watcher.file.write_text(_reference())
    assert watcher.grade_once().passed
    assert "Review recorded (Good)" in out.getvalue()  # one hint: still Good, not Hard
