"""`attnbank stats`: reviews per day, retention, cards due, and mastery per topic (weakest first)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from fsrs import Card
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..bank import Bank
from ..i18n import strings
from .scheduler import utc
from .store import Review


@dataclass(frozen=True)
class TopicRow:
    topic: str
    name: str
    mastered: int
    learning: int
    new: int

    @property
    def total(self) -> int:
        return self.mastered + self.learning + self.new


@dataclass(frozen=True)
class Stats:
    per_day: list[tuple[date, int]]  # oldest first
    retention: float | None  # share of repeat reviews (not a card's first) rated Hard or better
    repeats: int
    due_today: int  # due before the end of today (UTC)
    due_week: int  # due within 7 days
    topics: list[TopicRow]  # weakest first
    total: int


def compute(bank: Bank, reviews: list[Review], cards: dict[str, Card], status: dict[str, str],
            now: datetime, lang: str = "en", days: int = 14) -> Stats:
    """The statistics at `now` (a pure function of the logs, the cards and the question status)."""
    now = utc(now)
    today = now.date()
    counts = Counter(datetime.fromisoformat(r.reviewed_at).date() for r in reviews)
    window = [today - timedelta(days=i) for i in range(days - 1, -1, -1)]
    per_day = [(day, counts.get(day, 0)) for day in window]
    seen: set[str] = set()
    repeat_ratings = []
    for r in reviews:  # in time order
        if r.question_id in seen:
            repeat_ratings.append(r.rating)
        seen.add(r.question_id)
    retention = sum(r > 1 for r in repeat_ratings) / len(repeat_ratings) if repeat_ratings else None
    end_of_day = datetime.combine(today + timedelta(days=1), time(), timezone.utc)
    ids = set(bank.by_id)
    due = [c.due for qid, c in cards.items() if qid in ids]
    rows = []
    for t in bank.topics:
        tally = Counter(status.get(q.id, "new") for q in bank.select(topic=t.id))
        if tally:
            rows.append(TopicRow(t.id, t.name.get(lang), tally["mastered"], tally["learning"], tally["new"]))
    rows.sort(key=lambda r: (r.mastered / r.total, (r.mastered + r.learning) / r.total))
    return Stats(per_day, retention, len(repeat_ratings), sum(d < end_of_day for d in due),
                 sum(d <= now + timedelta(days=7) for d in due), rows, len(reviews))


def bar(parts: list[tuple[int, str]], total: int, width: int = 20) -> Text:
    """A horizontal bar of `width` cells split in proportion to `parts` (count, style)."""
    text = Text()
    used = 0
    for count, style in parts:
        cells = round(width * count / total) if total else 0
        cells = min(cells, width - used)
        text.append("█" * cells, style=style)
        used += cells
    return text.append("░" * (width - used), style="dim")


def render(stats: Stats, console: Console, lang: str = "en") -> None:
    """Print the statistics: a per-day bar chart, retention and due counts, and the topic table."""
    t = strings(lang)
    console.print(f"[bold]{t['per_day'].format(days=len(stats.per_day))}[/]")
    peak = max((n for _, n in stats.per_day), default=0)
    for day, n in stats.per_day:
        console.print(Text(f"{day:%m-%d} ").append(bar([(n, "cyan")], peak, 30)).append(f" {n}"))
    console.print(t["total"].format(n=stats.total))
    note = (t["retention_note"].format(pct=f"{stats.retention:.0%}", n=stats.repeats)
            if stats.retention is not None else t["none"])
    console.print(f"[bold]{t['retention']}:[/] {note}")
    console.print(f"[bold]{t['stats_due']}:[/] {t['due_line'].format(today=stats.due_today, week=stats.due_week)}")
    table = Table(title=t["stats_topics"], title_justify="left")
    for col in (t["stats_topic"], t["stats_mastered"], t["learning"], t["stats_new"], t["bar"]):
        table.add_column(col, justify="right" if col not in (t["stats_topic"], t["bar"]) else "left")
    for r in stats.topics:
        table.add_row(f"{r.name} [dim]({r.topic})[/]", str(r.mastered), str(r.learning), str(r.new),
                      bar([(r.mastered, "green"), (r.learning, "yellow")], r.total))
    console.print(table)
