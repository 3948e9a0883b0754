"""`attnbank watch`: re-grade a coding answer on every save, like rustlings' watch mode.

Each grading prints the grader's full feedback; the n-th failure unlocks hint n. A pass records a
review (Good, or Hard after two or more hints) when the card is new or due; every grading is logged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fsrs import Rating
from rich.console import Console
from rich.panel import Panel

from ..bank import Bank
from ..errors import AttnbankError
from ..i18n import strings
from ..outcome import Settings, Verdict
from ..render_terminal import markdown
from ..schema import CodingQuestion
from .record import record_grade
from .store import Store


class Watcher:
    """Grades one file for one question and remembers how many times it failed."""

    def __init__(self, bank: Bank, qid: str, file: Path, settings: Settings, console: Console,
                 lang: str, db: Path, clock: Callable[[], datetime]):
        self.bank, self.file, self.settings = bank, file, settings
        self.q = bank.get(qid)
        if not isinstance(self.q, CodingQuestion):
            raise AttnbankError(f"'{qid}' is a {self.q.kind} question: only coding questions are graded")
        self.console, self.lang, self.db, self.clock = console, lang, db, clock
        self.t = strings(lang)
        self.failures = 0

    def grade_once(self) -> Verdict | None:
        """Grade the file, print the feedback and any unlocked hints, log the result."""
        from ..grade import grade
        from ..report import render

        if not self.file.is_file():
            self.console.print(self.t["gone"].format(file=self.file))
            return None
        verdict = grade(self.q.id, self.file, self.settings, root=self.bank.root)
        if self.console.is_terminal:
            self.console.clear()
        render(verdict, self.console, self.lang)
        if not verdict.passed:
            self.failures += 1
            hints = self.q.coding.hints[:self.failures]
            for i, hint in enumerate(hints, 1):
                style = "yellow" if i == len(hints) else "dim"
                self.console.print(Panel(markdown(hint.get(self.lang)), title=self.t["hint_n"].format(i=i),
                                         title_align="left", border_style=style))
        rating = Rating.Hard if min(self.failures, len(self.q.coding.hints)) >= 2 else Rating.Good
        with Store.open(self.db) as store:
            card = record_grade(store, self.q.id, verdict.passed, verdict.status, self.clock(), "watch",
                                rating)
        if verdict.passed:
            self.console.print(self.t["recorded"].format(rating=self.t[f"rating_{int(rating)}"],
                                                         due=f"{card.due:%Y-%m-%d %H:%M}")
                               if card else self.t["logged"])
        self.console.print(f"[dim]{self.t['watching'].format(file=self.file)}[/]")
        return verdict


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
                graded = True
    except KeyboardInterrupt:  # Ctrl-C while a grading runs: stop quietly, like Ctrl-C while waiting
        pass
