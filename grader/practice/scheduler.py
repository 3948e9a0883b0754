"""FSRS scheduling through the `fsrs` package, as pure functions of (card, rating, now).

Ratings are fsrs.Rating values: 1 Again, 2 Hard, 3 Good, 4 Easy (Anki's keys).

Concept cards and quizzes use FSRS's learning steps (1 min, 10 min) and relearning step (10 min): a new
or failed card comes back within the session. Coding drills have no steps: solving a drill again ten
minutes later tests nothing, so a drill goes straight to day-long intervals. Fuzzing is off, so the same
history always gives the same schedule; times are UTC.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from fsrs import Card, Rating, Scheduler

SCHEDULER = Scheduler(enable_fuzzing=False)
DRILL_SCHEDULER = Scheduler(enable_fuzzing=False, learning_steps=(), relearning_steps=())


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


def schedule(card: Card | None, qid: str, rating: int, now: datetime, drill: bool = False) -> Card:
    """The card after rating it at `now` (a new card if `card` is None); `card` is not changed.

    `drill`: a coding drill, scheduled without learning steps."""
    card = card or new_card(qid, now)
    scheduler = DRILL_SCHEDULER if drill else SCHEDULER
    return scheduler.review_card(card, Rating(rating), review_datetime=utc(now))[0]


def replay(qid: str, history: Iterable[tuple[int, datetime]], drill: bool = False) -> Card:
    """The card after the (rating, time) reviews of `history`, in time order."""
    card = None
    for rating, when in sorted(history, key=lambda r: utc(r[1])):
        card = schedule(card, qid, rating, when, drill)
    if card is None:
        raise ValueError(f"no reviews to replay for '{qid}'")
    return card


def preview(card: Card | None, qid: str, now: datetime, drill: bool = False) -> dict[int, timedelta]:
    """Rating -> the interval it would give, as Anki shows on its answer buttons."""
    return {int(r): schedule(card, qid, int(r), now, drill).due - utc(now) for r in Rating}


UNITS = [(365 * 86400, "y", "年"), (30 * 86400, "mo", "个月"), (86400, "d", "天"), (3600, "h", "小时"),
         (60, "m", "分钟")]  # largest first


def span(delta: timedelta, lang: str = "en") -> str:
    """A short interval: 1m, 10m, 3h, 4d, 1.5mo, 2y (分钟, 小时, 天, 个月, 年 in Chinese); at least 1m."""
    seconds = max(delta.total_seconds(), 60)
    for size, en, zh in UNITS:
        if seconds >= size:
            value = seconds / size
            text = f"{value:.1f}".removesuffix(".0") if size >= 30 * 86400 and value < 10 else str(round(value))
            return text + (en if lang == "en" else zh)
    raise AssertionError("unreachable: the last unit is one minute")
