"""FSRS scheduling through the `fsrs` package, as pure functions of (card, rating, now).

Ratings are fsrs.Rating values: 1 Again, 2 Hard, 3 Good, 4 Easy (Anki's keys).

Fuzzing is off, so the same history always gives the same schedule; times are UTC.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timezone

from fsrs import Card, Rating, Scheduler

SCHEDULER = Scheduler(enable_fuzzing=False)


def card_id(qid: str) -> int:
    """A stable positive int id for question `qid` (fsrs wants ints; Python's hash() is salted)."""
    return int.from_bytes(hashlib.sha256(qid.encode()).digest()[:7], "big")


def utc(when: datetime) -> datetime:
    """`when` as an aware UTC datetime (naive datetimes are taken to be UTC)."""
    if when.tzinfo is None:
        return when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def new_card(qid: str, now: datetime) -> Card:
    """The card of a question never reviewed, due now."""
    return Card(card_id=card_id(qid), due=utc(now))


def schedule(card: Card | None, qid: str, rating: int, now: datetime) -> Card:
    """The card after rating it at `now` (a new card if `card` is None); `card` is not changed."""
    card = card or new_card(qid, now)
    return SCHEDULER.review_card(card, Rating(rating), review_datetime=utc(now))[0]


def replay(qid: str, history: Iterable[tuple[int, datetime]]) -> Card:
    """The card after the (rating, time) reviews of `history`, in time order."""
    card = None
    for rating, when in sorted(history, key=lambda r: utc(r[1])):
        card = schedule(card, qid, rating, when)
    if card is None:
        raise ValueError(f"no reviews to replay for '{qid}'")
    return card
