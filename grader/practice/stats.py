"""`attnbank stats`: streak, time studied, retention, due and overdue cards with a forecast, reviews per
day, and the weakest topics among those started (topics not started are listed apart, in one line).

Days are local study days (see planner.day_start). It fits a 40-row terminal: the chart has `days` rows
and the topic table at most MAX_TOPICS.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fsrs import Card
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..bank import Bank
from ..i18n import strings
from .planner import day_start
from .scheduler import utc
from .store import Review

MAX_TOPICS = 8
FORECAST_DAYS = 7


@dataclass(frozen=True)
class TopicRow:
    topic: str
    name: str
    mastered: int
    learning: int
    new: int
    again_rate: float | None  # share of the topic's reviews rated Again

    @property
    def total(self) -> int:
        return self.mastered + self.learning + self.new


@dataclass(frozen=True)
class Stats:
    per_day: list[tuple[date, int]]  # oldest first
    retention: float | None  # share of real repeat reviews (a day or more after the last one) not rated Again
    repeats: int
    due_now: int
    overdue: int  # due before today began
    forecast: list[tuple[date, int]]  # cards falling due on each of the next days, today first
    streak: int  # study days in a row with a review, up to today (or yesterday)
    minutes: float  # time spent on cards (where it was measured)
    topics: list[TopicRow]  # started topics, weakest first
    not_started: list[str]  # names of topics with no review or grade yet
    total: int


def local_day(when: datetime) -> date:
    """The local study day `when` belongs to (named by its start's local date)."""
    return day_start(when).astimezone().date()


def compute(bank: Bank, reviews: list[Review], cards: dict[str, Card], status: dict[str, str],
            now: datetime, lang: str = "en", days: int = 7) -> Stats:
    """The statistics at `now` (a pure function of the logs, the cards and the question status)."""
    now = utc(now)
    today = local_day(now)
    when = [datetime.fromisoformat(r.reviewed_at) for r in reviews]
    counts = Counter(local_day(w) for w in when)
    per_day = [(today - timedelta(days=i), counts.get(today - timedelta(days=i), 0)) for i in range(days - 1, -1, -1)]
    last: dict[str, datetime] = {}
    repeat_ratings = []
    for r, w in zip(reviews, when):  # in time order
        if r.question_id in last and w - last[r.question_id] >= timedelta(days=1):
            repeat_ratings.append(r.rating)
        last[r.question_id] = w
    retention = sum(r > 1 for r in repeat_ratings) / len(repeat_ratings) if repeat_ratings else None
    ids = set(bank.by_id)
    due = [utc(c.due) for qid, c in cards.items() if qid in ids]
    start = day_start(now)
    forecast = [(today + timedelta(days=i), sum(start + timedelta(days=i) <= d < start + timedelta(days=i + 1)
                                                or (i == 0 and d < start) for d in due))
                for i in range(FORECAST_DAYS)]
    streak, day = 0, today if counts.get(today) else today - timedelta(days=1)
    while counts.get(day):
        streak, day = streak + 1, day - timedelta(days=1)
    again = Counter(r.question_id for r in reviews if r.rating == 1)
    seen = Counter(r.question_id for r in reviews)
    rows, not_started = [], []
    for t in bank.topics:
        qs = bank.select(topic=t.id)
        if not qs:
            continue
        tally = Counter(status.get(q.id, "new") for q in qs)
        if tally["new"] == len(qs):
            not_started.append(t.name.get(lang))
            continue
        n_reviews = sum(seen[q.id] for q in qs)
        rate = sum(again[q.id] for q in qs) / n_reviews if n_reviews else None
        rows.append(TopicRow(t.id, t.name.get(lang), tally["mastered"], tally["learning"], tally["new"], rate))
    rows.sort(key=lambda r: (-(r.again_rate or 0), r.mastered / r.total))
    minutes = sum(r.took_ms or 0 for r in reviews) / 60000
    return Stats(per_day, retention, len(repeat_ratings), sum(d <= now for d in due), sum(d < start for d in due),
                 forecast, streak, minutes, rows, not_started, len(reviews))


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
    """Print the statistics: summary lines, the per-day chart, the forecast and the topic table."""
    t = strings(lang)
    console.print(Text.assemble((t["total"].format(n=stats.total), "bold"), " · ",
                                t["streak"].format(n=stats.streak), " · ",
                                t["time_studied"].format(m=round(stats.minutes))))
    note = (t["retention_note"].format(pct=f"{stats.retention:.0%}", n=stats.repeats)
            if stats.retention is not None else t["none"])
    console.print(f"[bold]{t['retention']}[/] {note}")
    console.print(f"[bold]{t['stats_due']}[/] {t['due_line'].format(now=stats.due_now, overdue=stats.overdue)}")
    console.print(Text(t["forecast"] + " ", style="bold").append(
        " · ".join(f"{day:%m-%d} {n}" for day, n in stats.forecast)))
    console.print(f"[bold]{t['per_day'].format(days=len(stats.per_day))}[/]")
    peak = max((n for _, n in stats.per_day), default=0)
    for day, n in stats.per_day:
        console.print(Text(f"{day:%m-%d} ").append(bar([(n, "cyan")], peak, 30)).append(f" {n}"))
    if stats.topics:
        table = Table(title=t["stats_topics"], title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                      padding=(0, 1), pad_edge=False)
        table.add_column(t["stats_topic"], no_wrap=True, overflow="ellipsis", ratio=1)  # one line per topic
        for col in (t["stats_mastered"], t["learning"], t["stats_new"], t["again_col"]):
            table.add_column(col, justify="right", no_wrap=True)
        table.add_column(t["bar"], no_wrap=True)
        for r in stats.topics[:MAX_TOPICS]:
            rate = f"{r.again_rate:.0%}" if r.again_rate is not None else "–"
            table.add_row(r.name, str(r.mastered), str(r.learning), str(r.new), rate,
                          bar([(r.mastered, "green"), (r.learning, "yellow")], r.total, 10))
        console.print(table)
        if len(stats.topics) > MAX_TOPICS:
            console.print(f"[dim]{t['more_topics'].format(n=len(stats.topics) - MAX_TOPICS)}[/]")
    if stats.not_started:
        names = t["list_sep"].join(stats.not_started)
        console.print(Text(t["not_started"].format(n=len(stats.not_started), names=names)))
