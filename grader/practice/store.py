"""The progress database (SQLite): the only module that speaks SQL.

Where it lives: `--db`, else `$ATTNBANK_DB`, else `progress.db` in the user data dir (platformdirs).
Reviews and grades are append-only logs; `cards` holds each question's FSRS card, derived from its
reviews. WAL mode, a busy timeout and short `BEGIN IMMEDIATE` transactions let a practice session
and a watch loop write at the same time. A file that is not ours is reported and never written.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
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


def default_path() -> Path:
    """$ATTNBANK_DB if set, else progress.db in the user data dir."""
    env = os.environ.get("ATTNBANK_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("attnbank") / "progress.db"


class Store:
    """An open progress database; use `Store.open`, and close it (or use it as a context manager)."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path | None = None, create: bool = True,
             migrations: list[Migration] = MIGRATIONS) -> Store:
        """Open (creating it if `create`) and migrate the database; StoreError if it is not ours."""
        path = path or default_path()
        exists = path.exists()
        if not exists and not create:
            raise StoreError(f"no progress database at {path} yet (`attnbank grade`, `watch` and `practice` create it)")
        if exists:
            _check_header(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
            _check_owner(conn, path, len(migrations))
            conn.execute("pragma journal_mode = wal")
            store = cls(conn, path)
            store.migrate(migrations)
        except sqlite3.OperationalError as exc:  # locked past the busy timeout, read-only, disk full...
            conn.close()
            raise StoreError(f"cannot use the progress database {path}: {exc}") from None
        except sqlite3.DatabaseError as exc:  # not a database, or a corrupt one
            conn.close()
            raise StoreError(f"{path} is not a usable progress database ({exc}); it was left untouched "
                             "(choose another file with --db or ATTNBANK_DB)") from None
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
        """A write transaction, taken at once (BEGIN IMMEDIATE); rolled back on any exception."""
        self.conn.execute("begin immediate")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("rollback")
            raise
        self.conn.execute("commit")

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
            conn.execute("insert into reviews (question_id, rating, reviewed_at, source) values (?, ?, ?, ?)",
                         (review.question_id, review.rating, review.reviewed_at, review.source))
            self._put_card(review.question_id, card)
        return card

    def _put_card(self, qid: str, card: Card) -> None:
        self.conn.execute(
            "insert or replace into cards (question_id, card_json, state, stability, due, last_review) "
            "values (?, ?, ?, ?, ?, ?)",
            (qid, card.to_json(), int(card.state), card.stability, iso(card.due),
             iso(card.last_review) if card.last_review else None))

    def reviews(self, qid: str | None = None) -> list[Review]:
        """The review log in time order (of one question if `qid`)."""
        sql = "select question_id, rating, reviewed_at, source from reviews"
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
                cur = conn.execute("insert or ignore into reviews (question_id, rating, reviewed_at, source) "
                                   "values (?, ?, ?, ?)", (r.question_id, r.rating, r.reviewed_at, r.source))
                if cur.rowcount:
                    n_reviews += 1
                    touched.add(r.question_id)
            for g in grades:
                n_grades += conn.execute(INSERT_GRADE, _grade_row(g)).rowcount
            for qid in sorted(touched):
                self._put_card(qid, replay(self.reviews(qid)))
        return n_reviews, n_grades

    def status(self) -> dict[str, str]:
        """Question id -> "learning" or "mastered" for every question with a review or a grade."""
        out: dict[str, str] = {}
        for qid, state, stability in self.conn.execute("select question_id, state, stability from cards"):
            strong = state == State.Review and (stability or 0) >= MASTERED_STABILITY_DAYS
            out[qid] = "mastered" if strong else "learning"
        last = self.conn.execute(
            "select question_id, passed from grades g where id = (select id from grades where "
            "question_id = g.question_id order by graded_at desc, id desc limit 1)")
        for qid, passed in last:
            if passed:
                out[qid] = "mastered"
            else:
                out.setdefault(qid, "learning")
        return out


def _grade_row(g: Grade) -> tuple:
    return (g.question_id, g.graded_at, int(g.passed), g.status, g.source)


def _check_header(path: Path) -> None:
    if not path.is_file():
        raise StoreError(f"{path} is not a file")
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head and head != SQLITE_MAGIC:
        raise StoreError(f"{path} is not an attnbank progress database (not SQLite); it was left untouched "
                         "(choose another file with --db or ATTNBANK_DB)")


def _check_owner(conn: sqlite3.Connection, path: Path, known: int) -> None:
    app = conn.execute("pragma application_id").fetchone()[0]
    version = conn.execute("pragma user_version").fetchone()[0]
    tables = conn.execute("select count(*) from sqlite_master").fetchone()[0]
    if app != APPLICATION_ID and (app != 0 or tables or version):
        raise StoreError(f"{path} is an SQLite database of another application; it was left untouched "
                         "(choose another file with --db or ATTNBANK_DB)")
    if version > known:
        raise StoreError(f"{path} has schema version {version}, newer than this attnbank knows ({known}); "
                         "upgrade attnbank")


def question_status(db_path: Path | None = None, ids: Iterable[str] = ()) -> dict[str, str]:
    """Question id -> "new" | "learning" | "mastered" from the progress database ({} if there is none).

    Mastered: the FSRS card is in the Review state with stability >= 21 days, or (coding questions)
    the latest grade passed. Learning: any other question with a review or a grade. Ids in `ids`
    with neither are reported as "new"; others are simply absent.
    """
    path = db_path or default_path()
    if not path.exists():
        return {}
    with Store.open(path, create=False) as store:
        status = store.status()
    return {**dict.fromkeys(ids, "new"), **status}
