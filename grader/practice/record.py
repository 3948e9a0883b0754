"""Turn answers and gradings into logged reviews: the glue between the scheduler and the store."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from fsrs import Card, Rating

from .scheduler import schedule
from .store import Grade, Review, Store, StoreError, default_path, iso

if TYPE_CHECKING:
    from ..outcome import Verdict


def record_rating(store: Store, qid: str, rating: int, now: datetime, source: str) -> Card:
    """Log a rating of `qid` at `now` and store the rescheduled card; return it."""
    card = store.record(review=Review(qid, rating, iso(now), source),
                        step=lambda card: schedule(card, qid, rating, now))
    assert card is not None
    return card


def record_grade(store: Store, qid: str, passed: bool, status: str, now: datetime, source: str,
                 rating: int = Rating.Good) -> Card | None:
    """Log a grading; a pass also counts as a review with `rating` when the card is new or due.

    An extra pass before the card is due (every save in watch mode, say) is logged as a grade only.
    Returns the new card when a review was recorded.
    """
    def step(card: Card | None) -> Card | None:
        if card is not None and card.due > now:
            return None
        return schedule(card, qid, rating, now)

    return store.record(grade=Grade(qid, iso(now), passed, status, source),
                        review=Review(qid, rating, iso(now), source) if passed else None, step=step)


def record_cli_grade(qid: str, verdict: Verdict) -> str:
    """`attnbank grade`'s hook: log the verdict in the progress database, creating it on first use.

    Returns a line for stderr: where it was recorded, or why it was not (a foreign or corrupt file is left alone).
    """
    path = default_path()
    try:
        with Store.open(path) as store:
            card = record_grade(store, qid, verdict.passed, verdict.status,
                                datetime.now(timezone.utc), "grade")
    except StoreError as exc:
        return f"warning: progress not recorded: {exc}"
    if card is None:
        return f"progress: grade logged in {path}"
    return f"progress: review recorded, next due {card.due:%Y-%m-%d %H:%M} UTC"
