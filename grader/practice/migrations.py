"""The progress database's schema, as an ordered list of migrations.

`PRAGMA user_version` holds how many have been applied. Never edit an applied migration: append a
new `mNNN_...` function instead. Each migration runs in the transaction that bumps the version.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = []
migration = MIGRATIONS.append


@migration
def m001_initial(conn: sqlite3.Connection) -> None:
    """Append-only review and grade logs, and the FSRS card state derived from the reviews."""
    conn.execute("""
        create table reviews (
            id integer primary key,
            question_id text not null,
            rating integer not null check (rating between 1 and 4),
            reviewed_at text not null,          -- ISO 8601, UTC
            source text not null,               -- practice | watch | grade | import
            unique (question_id, reviewed_at, rating, source)
        )""")
    conn.execute("""
        create table grades (
            id integer primary key,
            question_id text not null,
            graded_at text not null,            -- ISO 8601, UTC
            passed integer not null,
            status text not null,
            source text not null,               -- watch | grade
            unique (question_id, graded_at, source)
        )""")
    conn.execute("""
        create table cards (
            question_id text primary key,
            card_json text not null,            -- fsrs.Card.to_json()
            state integer not null,
            stability real,
            due text not null,                  -- ISO 8601, UTC
            last_review text
        )""")
    conn.execute("create index reviews_by_question on reviews (question_id, reviewed_at)")
    conn.execute("create index grades_by_question on grades (question_id, graded_at)")
    conn.execute("create index cards_by_due on cards (due)")


@migration
def m002_flags_and_time(conn: sqlite3.Connection) -> None:
    """Suspended and buried cards, and how long each review took (for `stats`)."""
    conn.execute("""
        create table flags (
            question_id text primary key,
            suspended integer not null default 0,
            buried_until text                   -- ISO 8601, UTC: hidden from sessions until then
        )""")
    conn.execute("alter table reviews add column took_ms integer")  # null when unknown (imports, grades)
