"""`attnbank progress export|import`: the review and grade logs as one JSON document.

Import merges: a review or grade already present (same question, time, rating/result and source)
is skipped, and the FSRS card of every question that gained reviews is rebuilt from its full log.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import AttnbankError
from .scheduler import replay
from .store import Grade, Review, Store, iso

FORMAT = "attnbank-progress"
VERSION = 1


def export_progress(store: Store, path: Path) -> dict[str, int]:
    """Write every review and grade to `path` (atomically); return the counts."""
    doc: dict[str, Any] = {
        "format": FORMAT, "version": VERSION,
        "reviews": [{"question": r.question_id, "rating": r.rating, "at": r.reviewed_at, "source": r.source}
                    for r in store.reviews()],
        "grades": [{"question": g.question_id, "at": g.graded_at, "passed": g.passed, "status": g.status,
                    "source": g.source} for g in store.grades()],
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return {"reviews": len(doc["reviews"]), "grades": len(doc["grades"])}


def _parse(path: Path) -> tuple[list[Review], list[Grade]]:
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
    try:
        reviews = [Review(str(r["question"]), int(r["rating"]), _when(r["at"]), str(r["source"]))
                   for r in doc.get("reviews", [])]
        grades = [Grade(str(g["question"]), _when(g["at"]), bool(g["passed"]), str(g["status"]),
                        str(g["source"])) for g in doc.get("grades", [])]
    except (KeyError, TypeError, ValueError) as exc:
        raise AttnbankError(f"{path}: malformed entry ({type(exc).__name__}: {exc})") from None
    if any(not 1 <= r.rating <= 4 for r in reviews):
        raise AttnbankError(f"{path}: a rating is outside 1-4")
    return reviews, grades


def _when(text: str) -> str:
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise ValueError(f"time without a time zone: {text}")
    return iso(when)


def import_progress(store: Store, path: Path) -> dict[str, int]:
    """Merge the export at `path` into `store`; return how many reviews and grades were new."""
    reviews, grades = _parse(path)
    added = store.merge(reviews, grades, lambda log: replay(
        log[0].question_id, [(r.rating, datetime.fromisoformat(r.reviewed_at)) for r in log]))
    return {"reviews": added[0], "grades": added[1]}
