"""Turn answers and gradings into logged reviews: the glue between the scheduler and the store."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from fsrs import Card, Rating

from .scheduler import replay, schedule
from .store import Grade, Review, Store, StoreError, default_path, iso

if TYPE_CHECKING:
    from ..outcome import Verdict


def record_review(store: Store, review: Review, drill: bool = False) -> Card:
    """Log `review` and store the rescheduled card; return it. `drill`: a coding drill (no learning steps)."""
    now = datetime.fromisoformat(review.reviewed_at)
    card = store.record(review=review,
                        step=lambda card: schedule(card, review.question_id, review.rating, now, drill))
    assert card is not None
    return card


def record_rating(store: Store, qid: str, rating: int, now: datetime, source: str, drill: bool = False) -> Card:
    """Log a rating of `qid` at `now` and store the rescheduled card; return it."""
    return record_review(store, Review(qid, rating, iso(now), source), drill)


def undo_review(store: Store, review: Review, drill: bool = False) -> None:
    """Take `review` back: delete it and rebuild the card from the reviews before it."""
    store.undo(review, lambda log: replay(review.question_id, [
        (r.rating, datetime.fromisoformat(r.reviewed_at)) for r in log], drill))


def record_grade(store: Store, qid: str, passed: bool, status: str, now: datetime, source: str,
                 rating: int = Rating.Good) -> Card | None:
    """Log a grading of a coding drill; a pass also counts as a review with `rating` when the card is new
    or due. An extra pass before the card is due (every save in watch mode, say) is logged as a grade only.
    Returns the new card when a review was recorded.
    """
    def step(card: Card | None) -> Card | None:
        if card is not None and card.due > now:
            return None
        return schedule(card, qid, rating, now, drill=True)

    return store.record(grade=Grade(qid, iso(now), passed, status, source),
                        review=Review(qid, rating, iso(now), source) if passed else None, step=step)


def record_cli_grade(qid: str, verdict: Verdict, db: Path | None = None) -> str:
    """`attnbank grade`'s hook: log the verdict in `db` (default: the progress database), creating it on
    first use. Returns a line for stderr: where it was recorded, or why it was not (any database error,
    read-only or locked included, is this one line: the verdict and exit status stand)."""
    path = db or default_path()
    try:
        with Store.open(path) as store:
            card = record_grade(store, qid, verdict.passed, verdict.status,
                                datetime.now(timezone.utc), "grade")
    except StoreError as exc:
        return f"warning: progress not recorded: {exc}"
    if card is None:
        return f"progress: grade logged in {path}"
    return f"progress: review recorded in {path}, next due {card.due:%Y-%m-%d %H:%M} UTC"
