"""`attnbank progress export|import`: the review and grade logs as one JSON document.

Import merges: a review or grade already present (same question, time, rating/result and source)
is skipped, and the FSRS card of every question that gained reviews is rebuilt from its full log.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ..errors import AttnbankError
from .scheduler import replay
from .store import Grade, Review, Store, is_sqlite_file, iso

FORMAT = "attnbank-progress"
VERSION = 1
CLOCK_SKEW = timedelta(minutes=5)  # entries later than now + this are refused


def document(reviews: Iterable[Review], grades: Iterable[Grade]) -> dict[str, Any]:
    """The export document of these logs."""
    return {
        "format": FORMAT, "version": VERSION,
        "reviews": [{"question": r.question_id, "rating": r.rating, "at": r.reviewed_at, "source": r.source,
                     **({"took_ms": r.took_ms} if r.took_ms is not None else {})} for r in reviews],
        "grades": [{"question": g.question_id, "at": g.graded_at, "passed": g.passed, "status": g.status,
                    "source": g.source} for g in grades],
    }


def write_document(doc: dict[str, Any], path: Path, db: Path | None = None) -> None:
    """Write `doc` to `path` atomically; refuse to replace the database `db` or any SQLite file."""
    if db is not None and path.exists() and path.resolve() == db.resolve():
        raise AttnbankError(f"refusing to export onto {path}: it is the progress database itself; "
                            "choose a new file such as progress.json")
    if is_sqlite_file(path):
        raise AttnbankError(f"refusing to export onto {path}: it is an SQLite database; "
                            "choose a new file such as progress.json")
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise AttnbankError(f"cannot write {path}: {exc.strerror}") from None


def export_progress(store: Store, path: Path) -> dict[str, int]:
    """Write every review and grade to `path` (atomically); return the counts."""
    doc = document(store.reviews(), store.grades())
    write_document(doc, path, store.path)
    return {"reviews": len(doc["reviews"]), "grades": len(doc["grades"])}


def _parse(path: Path, now: datetime) -> tuple[list[Review], list[Grade]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AttnbankError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise AttnbankError(f"{path} is not JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise AttnbankError(f"{path} is not an attnbank progress export (no \"format\": \"{FORMAT}\")")
    if doc.get("version") != VERSION:
        raise AttnbankError(f"{path} has export version {doc.get('version')}; this attnbank reads {VERSION}")
    latest = now + CLOCK_SKEW
    entries = []
    for section, build in (("reviews", _review), ("grades", _grade)):
        items = doc.get(section, [])
        if not isinstance(items, list):
            raise AttnbankError(f"{path}: \"{section}\" is not a list")
        for i, item in enumerate(items):
            try:
                entry = build(item)
                if datetime.fromisoformat(_at(entry)) > latest:
                    raise ValueError(f"time {_at(entry)} is in the future")
            except (KeyError, TypeError, ValueError) as exc:
                detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
                raise AttnbankError(f"{path}: {section}[{i}] is malformed ({detail})") from None
            entries.append(entry)
    return ([e for e in entries if isinstance(e, Review)], [e for e in entries if isinstance(e, Grade)])


def _at(entry: Review | Grade) -> str:
    return entry.reviewed_at if isinstance(entry, Review) else entry.graded_at


def _review(r: dict[str, Any]) -> Review:
    rating, took = r["rating"], r.get("took_ms")
    if type(rating) is not int or not 1 <= rating <= 4:
        raise ValueError(f"rating {rating!r} is not an integer 1-4")
    if took is not None and (type(took) is not int or took < 0):
        raise ValueError(f"took_ms {took!r} is not a whole number of milliseconds")
    return Review(_text(r, "question"), rating, _when(r["at"]), _text(r, "source"), took)


def _grade(g: dict[str, Any]) -> Grade:
    if not isinstance(g["passed"], bool):
        raise ValueError(f"passed {g['passed']!r} is not true or false")
    return Grade(_text(g, "question"), _when(g["at"]), g["passed"], _text(g, "status"), _text(g, "source"))


def _text(entry: dict[str, Any], key: str) -> str:
    if not isinstance(entry[key], str) or not entry[key]:
        raise ValueError(f"{key} {entry[key]!r} is not a non-empty string")
    return entry[key]


def _when(text: str) -> str:
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise ValueError(f"time without a time zone: {text}")
    return iso(when)


def import_progress(store: Store, path: Path, drills: set[str] = frozenset(),
                    now: datetime | None = None) -> dict[str, int]:
    """Merge the export at `path` into `store`; return how many reviews and grades were new.

    `drills`: the coding questions' ids (scheduled without learning steps); entries dated after `now`
    (beyond a few minutes of clock skew) are refused."""
    reviews, grades = _parse(path, now or datetime.now(timezone.utc))
    added = store.merge(reviews, grades, lambda log: replay(
        log[0].question_id, [(r.rating, datetime.fromisoformat(r.reviewed_at)) for r in log],
        log[0].question_id in drills))
    return {"reviews": added[0], "grades": added[1]}
