"""Grading a coding drill with hints: `attnbank watch` (re-grade on every save, like rustlings) and the
`g`/`h` keys of a practice session share this.

A real failed attempt unlocks one more hint, the one that fits the failing checks best (see `next_hint`);
the untouched starter is not graded and an invalid submission (a syntax error, a missing function)
unlocks nothing, so half-finished autosaves do not use up the hints. A pass records a review (Good, or
Hard after two or more hints) when the card is new or due; every grading is logged (unless recording is off).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fsrs import Card, Rating
from rich.console import Console
from rich.panel import Panel

from ..bank import Bank
from ..errors import AttnbankError
from ..i18n import strings
from ..outcome import Settings, Verdict
from ..render_terminal import markdown
from ..schema import CodingQuestion, Hint
from .record import record_grade
from .store import Review, Store, StoreError, iso

NO_HINT_STATUSES = ("invalid", "internal")  # not an attempt at the algorithm: no hint is used up


def next_hint(hints: list[Hint], shown: list[int], failed: set[str]) -> int | None:
    """The hint to unlock after a failure: among those not yet shown, the one naming the most failing
    checks (the earlier one on a tie); the next one in order when none names any; None when all are shown."""
    unseen = [i for i in range(len(hints)) if i not in shown]
    if not unseen:
        return None
    return max(unseen, key=lambda i: (len(failed.intersection(hints[i].checks)), -i))


def code_lines(text: str) -> list[str]:
    """The lines of `text` that are code (comments and blank lines dropped), to tell an edited file apart."""
    return [line.rstrip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


class Watcher:
    """Grades one file for one question and remembers which hints it has shown."""

    def __init__(self, bank: Bank, qid: str, file: Path, settings: Settings, console: Console,
                 lang: str, db: Path | None, clock: Callable[[], datetime], source: str = "watch"):
        """`db` None: grade without recording anything."""
        self.bank, self.file, self.settings = bank, file, settings
        self.q = bank.get(qid)
        if not isinstance(self.q, CodingQuestion):
            raise AttnbankError(f"'{qid}' is a {self.q.kind} question: only coding questions are graded")
        self.console, self.lang, self.db, self.clock, self.source = console, lang, db, clock, source
        self.t = strings(lang)
        self.shown: list[int] = []  # indices of the hints shown so far, in the order they were unlocked
        self.failed: set[str] = set()  # the checks the last real attempt failed
        self.review: Review | None = None  # the review the last pass recorded, if any
        self.card: Card | None = None

    def untouched(self) -> bool:
        """Whether the file is still the starter as written (comments aside)."""
        return code_lines(self.file.read_text(encoding="utf-8", errors="replace")) == code_lines(self.q.coding.starter)

    def grade_once(self, clear: bool = True) -> Verdict | None:
        """Grade the file, print the feedback and any unlocked hints, log the result.

        None when there was nothing to grade (the file is missing, or still the untouched starter)."""
        from ..grade import grade
        from ..report import render

        if not self.file.is_file():
            self.console.print(self.t["gone"].format(file=self.file))
            return None
        if self.untouched():
            self.console.print(self.t["untouched"].format(file=self.file))
            return None
        verdict = grade(self.q.id, self.file, self.settings, root=self.bank.root)
        if clear and self.console.is_terminal:
            self.console.clear()
        render(verdict, self.console, self.lang)
        pick = None
        if not verdict.passed and verdict.status not in NO_HINT_STATUSES:
            self.failed = {c.name for c in verdict.checks if c.passed is False}
            pick = next_hint(self.q.coding.hints, self.shown, self.failed)
            if pick is not None:
                self.shown.append(pick)
        if not verdict.passed:
            self.show_hints(pick)
        self.record(verdict)
        return verdict

    def hint(self) -> None:
        """Unlock the next hint on request (the `h` key), or say that every hint is shown."""
        pick = next_hint(self.q.coding.hints, self.shown, self.failed)
        if pick is None:
            self.console.print(self.t["no_more_hints"])
            return
        self.shown.append(pick)
        self.show_hints(pick)

    def show_hints(self, latest: int | None) -> None:
        hints = self.q.coding.hints
        for i in sorted(self.shown):
            title = self.t["hint_n"].format(i=i + 1, n=len(hints))
            self.console.print(Panel(markdown(hints[i].get(self.lang)), title=title, title_align="left",
                                     border_style="yellow" if i == latest else "dim"))

    def rating(self) -> Rating:
        return Rating.Hard if len(self.shown) >= 2 else Rating.Good

    def record(self, verdict: Verdict) -> None:
        """Log the grading (and a review, on a pass of a new or due card); a database error is one line."""
        self.review = self.card = None
        if self.db is None:
            return
        now, rating = self.clock(), self.rating()
        try:
            with Store.open(self.db) as store:
                self.card = record_grade(store, self.q.id, verdict.passed, verdict.status, now, self.source,
                                         rating)
        except StoreError as exc:
            self.console.print(f"[yellow]{self.t['not_recorded'].format(error=exc)}[/]")
            return
        if self.card is not None:
            self.review = Review(self.q.id, int(rating), iso(now), self.source)
        if verdict.passed:
            self.console.print(self.t["recorded"].format(rating=self.t[f"rating_{int(rating)}"],
                                                         due=f"{self.card.due:%Y-%m-%d %H:%M}")
                               if self.card else self.t["logged"])


def watch(watcher: Watcher, stop: threading.Event | None = None) -> None:
    """Grade now, then after every change to the file until Ctrl-C or `stop` is set."""
    import watchfiles

    target = watcher.file.resolve()
    graded = False
    # the first (empty) timeout comes once the watcher is running, so a save during the first grading
    # is not missed
    changes = watchfiles.watch(target.parent, watch_filter=lambda _change, p: Path(p).resolve() == target,
                               debounce=300, stop_event=stop, raise_interrupt=False, yield_on_timeout=True,
                               rust_timeout=250)
    try:
        for changed in changes:
            if changed or not graded:
                watcher.grade_once()
                watcher.console.print(f"[dim]{watcher.t['watching'].format(file=watcher.file)}[/]")
                graded = True
    except KeyboardInterrupt:  # Ctrl-C while a grading runs: stop quietly, like Ctrl-C while waiting
        pass
