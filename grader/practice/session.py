"""A practice session in the terminal: due cards, then new ones; failed and new cards come back.

Concept cards are self-rated (1-4, like Anki). Quizzes are checked: right is rated Good, wrong Again.
Coding drills are graded inside the session (see drill.py). Concept cards and quizzes go through FSRS's
learning steps, so a card rated Again (or a new card) returns once its step is due, or at the end of
the queue. Every rating is saved at once; `u` takes the last one back. If the database cannot be
written (read-only, locked elsewhere), ratings are kept in memory, retried, and at the end written to a
file that `attnbank progress import` reads: nothing is lost.
"""

from __future__ import annotations

import os
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from fsrs import Card, State
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from ..bank import Bank
from ..errors import AttnbankError
from ..i18n import strings
from ..render_terminal import markdown
from ..workspace import starter_path
from . import cards, drill
from .answers import QUIT, UNDO, Answers, Script
from .exchange import document, write_document
from .planner import Plan, due_counts
from .record import record_review, undo_review
from .scheduler import preview, schedule, span, utc
from .store import Review, Store, StoreError, iso

LEARN_AHEAD = timedelta(minutes=20)  # a learning card due this soon is shown when nothing else is left
LEECH_AGAIN = 8  # a card rated Again this often is a leech (Anki's default threshold)


@dataclass
class Done:
    """A rating given in this session, for undo and the summary."""

    q: object
    tag: str
    review: Review
    saved: bool


@dataclass
class Session:
    """One study session over `plan`, recording into `store` at `clock()`."""

    bank: Bank
    store: Store
    answers: Answers
    console: Console
    workspace: Path
    clock: Callable[[], datetime]
    lang: str = "en"
    plan: Plan = field(default_factory=Plan)
    queue: deque = field(default_factory=deque)
    learning: dict[str, tuple[datetime, object]] = field(default_factory=dict)  # qid -> (due, question)
    done: list[Done] = field(default_factory=list)
    unsaved: list[Review] = field(default_factory=list)
    memory: dict[str, Card] = field(default_factory=dict)  # cards of unsaved ratings
    skipped: list[object] = field(default_factory=list)  # drills left for later
    pool_ids: set[str] = field(default_factory=set)  # the questions the filters allow ("due" counts only them)
    notice: Text | None = None  # shown under the next card's prompt (the screen is cleared between cards)

    @property
    def t(self) -> dict[str, str]:
        return strings(self.lang)

    def run(self) -> None:
        """Ask cards until none is left or the user quits; then the summary."""
        self.queue.extend(self.plan.queue)
        started = time.monotonic()
        while (item := self.next_card()) is not None:
            q, tag = item
            self.header(q, tag)
            t0 = time.monotonic()
            if q.kind == "coding":
                outcome = drill.coding(self, q, tag)
            else:
                outcome = cards.concept(self, q) if q.kind == "concept" else cards.quiz(self, q)
            if outcome == QUIT:
                break
            if outcome == UNDO:
                self.queue.appendleft((q, tag))
                self.undo()
                continue
            if outcome is None:  # a drill skipped, or passed (its grading recorded the review)
                passed = bool(self.done) and self.done[-1].q is q
                if not passed:
                    self.skipped.append(q)
                    continue
            else:
                self.rate(q, tag, int(outcome), int((time.monotonic() - t0) * 1000))
            if q.kind != "concept":  # feedback to read: wait for a key
                key = self.answers.pause(self.t["pause"])
                if key == UNDO:  # this card's own rating: undo puts it back in front
                    self.undo()
                elif key == QUIT:
                    break
        self.summary(time.monotonic() - started)

    def next_card(self) -> tuple[object, str] | None:
        """A learning card whose step is due, else the next planned card, else a learning card due soon."""
        now = utc(self.clock())
        soonest = min(self.learning.items(), key=lambda kv: kv[1][0], default=None)
        if soonest and (soonest[1][0] <= now or (not self.queue and soonest[1][0] - now <= LEARN_AHEAD)):
            del self.learning[soonest[0]]
            return soonest[1][1], "learning"
        return self.queue.popleft() if self.queue else None

    def header(self, q, tag: str) -> None:
        """A clean screen with the card's position, title, tags and prompt (and what the last key did)."""
        if self.answers.interactive and self.console.is_terminal:
            self.console.clear()
        at, left = len(self.done) + 1, len(self.queue) + len(self.learning)
        self.console.print(Text.assemble((f"{at}/{at + left}", "bold"), "  ", (q.title.get(self.lang), "bold")))
        self.console.print(Text(f"{q.id} · {self.t[q.kind]} · {q.topic} · {self.t['card_' + tag]}", style="dim"))
        self.console.print(Panel(markdown(q.prompt.get(self.lang)), title=self.t["prompt"], title_align="left"))
        if self.notice:
            self.console.print(self.notice)
            self.notice = None

    def card(self, qid: str) -> Card | None:
        return self.memory.get(qid) or self.store.card(qid)

    def rate_prompt(self, q) -> str:
        """The rating keys with the interval each would give, as on Anki's buttons."""
        intervals = preview(self.card(q.id), q.id, self.clock())
        keys = "  ".join(f"[{r}] {self.t[f'rating_{r}']} {span(d, self.lang)}" for r, d in intervals.items())
        return self.t["rate"].format(keys=keys)

    def rate(self, q, tag: str, rating: int, took_ms: int) -> None:
        """Save a rating (or keep it in memory if the database refuses it) and requeue a learning card."""
        review = Review(q.id, rating, iso(self.clock()), "practice", took_ms)
        drill_card = q.kind == "coding"
        self.flush()
        saved = not self.unsaved
        if saved:
            try:
                card = record_review(self.store, review, drill_card)
            except StoreError as exc:
                saved = False
                self.console.print(f"[yellow]{self.t['kept_in_memory'].format(error=exc)}[/]")
        if not saved:
            card = schedule(self.card(q.id), q.id, rating, utc(self.clock()), drill_card)
            self.memory[q.id] = card
            self.unsaved.append(review)
        self.note(q, review, card, tag, saved)
        if rating == 1:
            self.check_leech(q)

    def note(self, q, review: Review, card: Card, tag: str = "due", saved: bool = True) -> None:
        """Count a rating given (by a key or by a passing grade) and requeue the card while it is learning."""
        self.done.append(Done(q, tag, review, saved))
        when = utc(card.due) - utc(self.clock())
        self.console.print(f"[dim]{self.t['rated']} {self.t[f'rating_{review.rating}']} → "
                           f"{self.t['due_in'].format(span=span(when, self.lang))}[/]")
        if card.state in (State.Learning, State.Relearning) and q.kind != "coding":
            self.learning[q.id] = (utc(card.due), q)

    def flush(self) -> None:
        """Try again to save the ratings kept in memory, oldest first."""
        while self.unsaved:
            try:
                record_review(self.store, self.unsaved[0], self.bank.get(self.unsaved[0].question_id).kind == "coding")
            except StoreError:
                return
            saved = self.unsaved.pop(0)
            for d in self.done:
                d.saved = d.saved or d.review == saved
            if not self.unsaved:
                self.memory.clear()

    def undo(self) -> None:
        """Take back the last rating of this session and show its card again."""
        if not self.done:
            self.console.print(f"[yellow]{self.t['nothing_to_undo']}[/]")
            return
        last = self.done.pop()
        if last.saved:
            try:
                undo_review(self.store, last.review, last.q.kind == "coding")
            except StoreError as exc:
                self.done.append(last)
                self.console.print(f"[yellow]{self.t['undo_failed'].format(error=exc)}[/]")
                return
        else:
            self.unsaved.remove(last.review)
            self.memory.pop(last.q.id, None)
        self.learning.pop(last.q.id, None)
        self.queue.appendleft((last.q, last.tag))
        self.notice = Text(self.t["undone"].format(title=last.q.title.get(self.lang),
                                                   rating=self.t[f"rating_{last.review.rating}"]), style="cyan")

    def defer(self, qid: str, until: datetime) -> None:
        """Bury a skipped drill until `until` (it must not take a new-card slot again today)."""
        try:
            self.store.bury(qid, until)
        except StoreError as exc:
            self.console.print(f"[yellow]{exc}[/]")
            return
        self.console.print(f"[dim]{self.t['buried'].format(when=f'{until.astimezone():%Y-%m-%d %H:%M}')}[/]")

    def check_leech(self, q) -> None:
        """Flag a leech at LEECH_AGAIN Agains and every half of that after (as Anki does)."""
        lapses = sum(r.rating == 1 for r in self.store.reviews(q.id))
        if lapses < LEECH_AGAIN or (lapses - LEECH_AGAIN) % (LEECH_AGAIN // 2):
            return
        self.console.print(f"[bold magenta]{self.t['leech'].format(n=lapses)}[/]")
        if self.answers.interactive and self.answers.key(self.t["leech_keys"], "sk") == "s":
            try:
                self.store.suspend(q.id)
                self.learning.pop(q.id, None)
                self.console.print(self.t["suspended"].format(id=q.id))
            except StoreError as exc:
                self.console.print(f"[yellow]{exc}[/]")

    def summary(self, seconds: float) -> None:
        """Reviewed, accuracy, time, drills pending, and what is due when."""
        t = self.t
        if isinstance(self.answers, Script) and self.answers.ended:
            self.console.print(f"[dim]{t['script_end']}[/]")
        ratings = Counter(d.review.rating for d in self.done)
        counts = t["sep"].join(f"{t[f'rating_{r}']} {n}" for r, n in sorted(ratings.items())) or "–"
        n = len(self.done)
        accuracy = f"{sum(r > 1 for r in (d.review.rating for d in self.done)) / n:.0%}" if n else "–"
        self.console.print(t["done"].format(n=n, counts=counts, accuracy=accuracy,
                                            time=t["duration"].format(m=int(seconds // 60), s=int(seconds % 60)),
                                            db=self.store.path))
        for q in self.skipped:
            path = starter_path(self.workspace, q.id)
            self.console.print(t["pending_drill"].format(id=q.id, file=path, db=self.store.path))
        self.flush()
        if self.unsaved:
            self.rescue()
        now = self.clock()
        due_now, upcoming = due_counts({**self.store.cards(), **self.memory}, self.pool_ids, now)
        if due_now:
            self.console.print(t["due_now"].format(n=due_now))
        elif upcoming:
            self.console.print(t["next_due"].format(when=f"{upcoming.astimezone():%Y-%m-%d %H:%M}",
                                                    span=span(upcoming - utc(now), self.lang)))
        if self.plan.held_new or self.plan.held_due:
            self.console.print(f"[dim]{t['held'].format(new=self.plan.held_new, due=self.plan.held_due)}[/]")

    def rescue(self) -> None:
        """Write the ratings the database refused to a file for `attnbank progress import`."""
        path = self.workspace / f"unsaved-ratings-{self.clock().astimezone():%Y%m%d-%H%M%S}.json"
        try:
            os.makedirs(self.workspace, exist_ok=True)
            write_document(document(self.unsaved, []), path)
        except (OSError, AttnbankError) as exc:  # the last resort: print them
            self.console.print(self.t["rescue_failed"].format(error=exc))
            for r in self.unsaved:
                self.console.print(f"  {r.question_id} {r.rating} {r.reviewed_at}")
            return
        line = self.t["rescued"].format(n=len(self.unsaved), file=path, db=self.store.path)
        self.console.print(Text(line, style="bold yellow"))
