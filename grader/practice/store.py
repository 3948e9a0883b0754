"""The progress database (SQLite): the only module that speaks SQL.

Where it lives: `--db`, else `$ATTNBANK_DB`, else `progress.db` in the user data dir (platformdirs).
Reviews and grades are append-only logs; `cards` holds each question's FSRS card, derived from its
reviews. WAL mode, a busy timeout and short `BEGIN IMMEDIATE` transactions let a practice session
and a watch loop write at the same time. A file that is not ours is reported and never written.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from fsrs import Card, State

from ..errors import AttnbankError
from .migrations import MIGRATIONS, Migration

APPLICATION_ID = 0x61746E62  # "atnb" in PRAGMA application_id marks the file as ours
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000
MASTERED_STABILITY_DAYS = 21.0
INSERT_REVIEW = ("insert or ignore into reviews (question_id, rating, reviewed_at, source, took_ms) "
                 "values (?, ?, ?, ?, ?)")
INSERT_GRADE = ("insert or ignore into grades (question_id, graded_at, passed, status, source) "
                "values (?, ?, ?, ?, ?)")


class StoreError(AttnbankError):
    """The progress database is missing, foreign, corrupt or too new."""


@dataclass(frozen=True)
class Review:
    """One rating of one question (the append-only review log)."""

    question_id: str
    rating: int
    reviewed_at: str  # ISO 8601, UTC (see `iso`)
    source: str
    took_ms: int | None = None  # time spent on the card, when known


@dataclass(frozen=True)
class Grade:
    """One grading of a coding answer (the append-only grade log)."""

    question_id: str
    graded_at: str
    passed: bool
    status: str
    source: str


def iso(when: datetime) -> str:
    """`when` as fixed-width ISO 8601 in UTC, so that strings sort like times."""
    return when.astimezone(timezone.utc).isoformat(timespec="microseconds")


def user_dir_path() -> Path:
    """progress.db in the user data dir: the one location whose folders are created when missing."""
    from platformdirs import user_data_path

    return user_data_path("attnbank") / "progress.db"


def default_path() -> Path:
    """$ATTNBANK_DB if set, else progress.db in the user data dir."""
    env = os.environ.get("ATTNBANK_DB")
    if env:
        return Path(env).expanduser()
    return user_dir_path()


def is_sqlite_file(path: Path) -> bool:
    """Whether `path` is a file that starts like an SQLite database."""
    try:
        with path.open("rb") as fh:
            return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


class Store:
    """An open progress database; use `Store.open`, and close it (or use it as a context manager)."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path | None = None, create: bool = True,
             migrations: list[Migration] = MIGRATIONS) -> Store:
        """Open (creating it if `create`) and migrate the database; StoreError if it is not ours.

        A new database is built under a temporary name and linked into place, so no process ever sees
        a half-made file; an empty file is therefore never adopted. Missing folders are created only
        for the default location in the user data dir (a typo in --db must not create a tree).
        """
        path = path or default_path()
        if not path.exists():
            if not create:
                raise StoreError(f"no progress database at {path} yet "
                                 "(`attnbank grade`, `watch` and `practice` create it)")
            if path == user_dir_path():
                path.parent.mkdir(parents=True, exist_ok=True)
            elif not path.parent.is_dir():
                raise StoreError(f"cannot create the progress database {path}: the folder {path.parent} "
                                 "does not exist")
            _create(path, migrations)
        _check_header(path)
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
            _check_owner(conn, path, len(migrations))
            conn.execute("pragma journal_mode = wal")
            store = cls(conn, path)
            store.migrate(migrations)
        except sqlite3.Error as exc:
            conn.close()
            raise _store_error(path, exc) from None
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken at once (BEGIN IMMEDIATE); rolled back on any exception.

        SQLite errors (a read-only file, a lock held past the busy timeout, a full disk) come out as
        one-line StoreErrors; nothing of the transaction is kept.
        """
        try:
            self.conn.execute("begin immediate")
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None
        try:
            yield self.conn
            self.conn.execute("commit")
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.execute("rollback")
            if isinstance(exc, sqlite3.Error):
                raise _store_error(self.path, exc) from None
            raise

    def version(self) -> int:
        return self.conn.execute("pragma user_version").fetchone()[0]

    def migrate(self, migrations: list[Migration] = MIGRATIONS) -> list[str]:
        """Apply the migrations not yet applied, each with its version bump; return their names."""
        applied = []
        for number, step in enumerate(migrations, 1):
            if self.version() >= number:
                continue
            with self.transaction() as conn:
                if self.version() >= number:  # another process got there first
                    continue
                if number == 1:
                    conn.execute(f"pragma application_id = {APPLICATION_ID}")
                step(conn)
                conn.execute(f"pragma user_version = {number}")
            applied.append(step.__name__)
        return applied

    # ------------------------------------------------------------------ cards and reviews

    def card(self, qid: str) -> Card | None:
        """The FSRS card of `qid`, or None if it was never reviewed."""
        row = self.conn.execute("select card_json from cards where question_id = ?", (qid,)).fetchone()
        return Card.from_json(row[0]) if row else None

    def cards(self) -> dict[str, Card]:
        """Every reviewed question's card."""
        rows = self.conn.execute("select question_id, card_json from cards")
        return {qid: Card.from_json(js) for qid, js in rows}

    def record(self, review: Review | None = None, grade: Grade | None = None,
               step: Callable[[Card | None], Card | None] | None = None) -> Card | None:
        """In one transaction: log `grade`; then, if `review` and `step(current card)` gives a card,
        log `review` and store that card. Returns the stored card, or None."""
        with self.transaction() as conn:
            if grade is not None:
                conn.execute(INSERT_GRADE, _grade_row(grade))
            if review is None or step is None:
                return None
            card = step(self.card(review.question_id))
            if card is None:
                return None
            if conn.execute(INSERT_REVIEW, _review_row(review)).rowcount:  # not a duplicate of a logged one
                self._put_card(review.question_id, card)
        return card

    def undo(self, review: Review, replay: Callable[[list[Review]], Card]) -> None:
        """Delete `review` from the log and rebuild its card from the reviews left (none: no card)."""
        with self.transaction() as conn:
            conn.execute("delete from reviews where question_id = ? and rating = ? and reviewed_at = ? "
                         "and source = ?", _review_row(review)[:4])
            left = self.reviews(review.question_id)
            if left:
                self._put_card(review.question_id, replay(left))
            else:
                conn.execute("delete from cards where question_id = ?", (review.question_id,))

    def _put_card(self, qid: str, card: Card) -> None:
        self.conn.execute(
            "insert or replace into cards (question_id, card_json, state, stability, due, last_review) "
            "values (?, ?, ?, ?, ?, ?)",
            (qid, card.to_json(), int(card.state), card.stability, iso(card.due),
             iso(card.last_review) if card.last_review else None))

    def reviews(self, qid: str | None = None) -> list[Review]:
        """The review log in time order (of one question if `qid`)."""
        sql = "select question_id, rating, reviewed_at, source, took_ms from reviews"
        rows = (self.conn.execute(sql + " where question_id = ? order by reviewed_at, id", (qid,)) if qid
                else self.conn.execute(sql + " order by reviewed_at, id"))
        return [Review(*r) for r in rows]

    def grades(self) -> list[Grade]:
        """The grade log in time order."""
        rows = self.conn.execute("select question_id, graded_at, passed, status, source from grades "
                                 "order by graded_at, id")
        return [Grade(q, at, bool(p), st, src) for q, at, p, st, src in rows]

    def merge(self, reviews: Iterable[Review], grades: Iterable[Grade],
              replay: Callable[[list[Review]], Card]) -> tuple[int, int]:
        """Add the reviews and grades not already logged, rebuild the cards they touch with
        `replay(question's reviews in time order)`; return (reviews added, grades added)."""
        with self.transaction() as conn:
            touched: set[str] = set()
            n_reviews = n_grades = 0
            for r in reviews:
                cur = conn.execute(INSERT_REVIEW, _review_row(r))
                if cur.rowcount:
                    n_reviews += 1
                    touched.add(r.question_id)
            for g in grades:
                n_grades += conn.execute(INSERT_GRADE, _grade_row(g)).rowcount
            for qid in sorted(touched):
                self._put_card(qid, replay(self.reviews(qid)))
        return n_reviews, n_grades

    def hidden(self, now: datetime) -> dict[str, str]:
        """Question id -> "suspended" or "buried" (until a time after `now`) for the cards sessions skip."""
        rows = self.conn.execute("select question_id, suspended, buried_until from flags")
        return {qid: "suspended" if suspended else "buried" for qid, suspended, until in rows
                if suspended or (until and until > iso(now))}

    def bury(self, qid: str, until: datetime) -> None:
        """Hide `qid` from sessions until `until` (a skipped drill waits for the next day)."""
        with self.transaction() as conn:
            conn.execute("insert into flags (question_id, buried_until) values (?, ?) on conflict (question_id) "
                         "do update set buried_until = excluded.buried_until", (qid, iso(until)))

    def suspend(self, qid: str, suspended: bool = True) -> None:
        """Suspend `qid` (sessions never show it) or lift the suspension."""
        with self.transaction() as conn:
            conn.execute("insert into flags (question_id, suspended) values (?, ?) on conflict (question_id) "
                         "do update set suspended = excluded.suspended", (qid, int(suspended)))

    def status(self, passed: str = "mastered") -> dict[str, str]:
        """Question id -> "learning" or "mastered" for every question with a review or a grade; a question
        whose latest grade passed gets the label `passed` (`attnbank list` says "passed")."""
        out: dict[str, str] = {}
        for qid, state, stability in self.conn.execute("select question_id, state, stability from cards"):
            strong = state == State.Review and (stability or 0) >= MASTERED_STABILITY_DAYS
            out[qid] = "mastered" if strong else "learning"
        last = self.conn.execute(
            "select question_id, passed from grades g where id = (select id from grades where "
            "question_id = g.question_id order by graded_at desc, id desc limit 1)")
        for qid, ok in last:
            if ok:
                out[qid] = passed
            else:
                out.setdefault(qid, "learning")
        return out


def _review_row(r: Review) -> tuple:
    return (r.question_id, r.rating, r.reviewed_at, r.source, r.took_ms)


def _grade_row(g: Grade) -> tuple:
    return (g.question_id, g.graded_at, int(g.passed), g.status, g.source)


def _store_error(path: Path, exc: sqlite3.Error) -> StoreError:
    if isinstance(exc, sqlite3.OperationalError):  # locked past the busy timeout, read-only, disk full...
        return StoreError(f"cannot use the progress database {path}: {exc}")
    return StoreError(f"{path} is not a usable progress database ({exc}); it was left untouched "
                      "(choose another file with --db or ATTNBANK_DB)")


def _create(path: Path, migrations: list[Migration]) -> None:
    """Build a migrated database beside `path` and link it into place, unless another process was first."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.new")
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("pragma journal_mode = wal")
            Store(conn, tmp).migrate(migrations)
        finally:
            conn.close()
        with suppress(FileExistsError):  # created meanwhile by another process: use that one
            os.link(tmp, path)
    except sqlite3.Error as exc:
        raise _store_error(path, exc) from None
    except OSError as exc:
        raise StoreError(f"cannot create the progress database {path}: {exc.strerror}") from None
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            leftover.unlink(missing_ok=True)


def _check_header(path: Path) -> None:
    if not path.is_file():
        raise StoreError(f"{path} is not a file")
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if not head:
        raise StoreError(f"{path} is empty, not a progress database; it was left untouched (delete it to "
                         "start a new one, or choose another file with --db or ATTNBANK_DB)")
    if head != SQLITE_MAGIC:
        raise StoreError(f"{path} is not an attnbank progress database (not SQLite); it was left untouched "
                         "(choose another file with --db or ATTNBANK_DB)")


def _check_owner(conn: sqlite3.Connection, path: Path, known: int) -> None:
    conn.execute("begin")  # one read snapshot: a migration committed meanwhile is seen whole or not at all
    try:
        app = conn.execute("pragma application_id").fetchone()[0]
        version = conn.execute("pragma user_version").fetchone()[0]
        tables = conn.execute("select count(*) from sqlite_master").fetchone()[0]
    finally:
        conn.execute("commit")
    if app != APPLICATION_ID and (app != 0 or tables or version):
        raise StoreError(f"{path} is an SQLite database of another application; it was left untouched "
                         "(choose another file with --db or ATTNBANK_DB)")
    if version > known:
        raise StoreError(f"{path} has schema version {version}, newer than this attnbank knows ({known}); "
                         "upgrade attnbank")


def question_status(db_path: Path | None = None, ids: Iterable[str] = (), passed: str = "mastered") -> dict[str, str]:
    """Question id -> "new" | "learning" | "mastered" from the progress database ({} if there is none).

    Mastered: the FSRS card is in the Review state with stability >= 21 days, or (coding questions)
    the latest grade passed. Learning: any other question with a review or a grade. Ids in `ids`
    with neither are reported as "new"; others are simply absent. `passed`: the label of a question whose
    latest grade passed.
    """
    path = db_path or default_path()
    if not path.exists():
        return {}
    with Store.open(path, create=False) as store:
        status = store.status(passed)
    return {**dict.fromkeys(ids, "new"), **status}


def grade_summary(db_path: Path | None = None) -> dict[str, dict[str, object]]:
    """Question id -> {"passed": whether its latest grade passed, "attempts", "passes", "last": ISO time of the
    latest grade}, from the grade log ({} if there is no database)."""
    path = db_path or default_path()
    if not path.exists():
        return {}
    with Store.open(path, create=False) as store:
        grades = store.grades()
    out: dict[str, dict[str, object]] = {}
    for g in grades:  # in time order: the latest grade sets "passed" and "last"
        entry = out.setdefault(g.question_id, {"attempts": 0, "passes": 0})
        entry.update(attempts=entry["attempts"] + 1, passes=entry["passes"] + int(g.passed), passed=g.passed,
                     last=g.graded_at)
    return out
