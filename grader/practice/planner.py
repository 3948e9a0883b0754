"""What a session shows: due cards, then new ones, within daily limits kept per local study day.

The study day starts at 04:00 local time (Anki's default), so a late-night session counts for the day
it began, and a user east of UTC does not see "today" end at breakfast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fsrs import Card

from ..bank import Bank
from .scheduler import utc
from .store import Review

DAY_STARTS_AT = 4  # local hour


def day_start(now: datetime) -> datetime:
    """The start (UTC) of the local study day that contains `now`."""
    local = utc(now).astimezone()  # the system time zone ($TZ)
    start = local.replace(hour=DAY_STARTS_AT, minute=0, second=0, microsecond=0)
    if local < start:
        start -= timedelta(days=1)
    return utc(start)


def next_day(now: datetime) -> datetime:
    """The start (UTC) of the next local study day."""
    return day_start(now) + timedelta(days=1)


@dataclass(frozen=True)
class Limits:
    """At most `new` new cards and `reviews` due reviews per local study day."""

    new: int = 10
    reviews: int = 200


@dataclass(frozen=True)
class Today:
    """What the current study day has used of the limits."""

    new: int
    reviews: int


def used_today(reviews: list[Review], now: datetime) -> Today:
    """Cards first reviewed today (new) and other cards reviewed today (reviews), each counted once."""
    start = day_start(now)
    first: dict[str, datetime] = {}
    today: set[str] = set()
    for r in reviews:  # in time order
        when = datetime.fromisoformat(r.reviewed_at)
        first.setdefault(r.question_id, when)
        if start <= when <= utc(now):
            today.add(r.question_id)
    new = {q for q in today if first[q] >= start}
    return Today(len(new), len(today - new))


@dataclass
class Plan:
    """The session's queue as (question, "due" | "new"), and what the limits held back."""

    queue: list[tuple[object, str]] = field(default_factory=list)
    held_new: int = 0
    held_due: int = 0


def plan(bank: Bank, cards: dict[str, Card], hidden: dict[str, str], now: datetime, limits: Limits,
         today: Today, topic: str | None = None, kind: str | None = None,
         difficulty: str | None = None) -> Plan:
    """Due cards (most overdue first), then never-reviewed questions in study order, within the limits.

    Suspended and buried cards are left out."""
    pool = [q for q in bank.select(topic, kind, difficulty) if q.id not in hidden]
    now = utc(now)
    due = sorted((q for q in pool if q.id in cards and cards[q.id].due <= now), key=lambda q: cards[q.id].due)
    fresh = [q for q in pool if q.id not in cards]
    room_due = max(limits.reviews - today.reviews, 0)
    room_new = max(limits.new - today.new, 0)
    return Plan([(q, "due") for q in due[:room_due]] + [(q, "new") for q in fresh[:room_new]],
                held_new=max(len(fresh) - room_new, 0), held_due=max(len(due) - room_due, 0))


def due_counts(cards: dict[str, Card], ids: set[str], now: datetime) -> tuple[int, datetime | None]:
    """How many of the cards `ids` are due at `now`, and when the next one after `now` is due."""
    now = utc(now)
    dues = [c.due for q, c in cards.items() if q in ids]
    return sum(d <= now for d in dues), min((d for d in dues if d > now), default=None)
