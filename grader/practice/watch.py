"""`attnbank watch`: re-grade a coding answer on every save, like rustlings' watch mode.

Each grading prints the grader's full feedback; every failure unlocks one more hint, the one that fits the
failing checks best (see `next_hint`). A pass records a review (Good, or Hard after two or more hints) when
the card is new or due; every grading is logged (unless recording is off).
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
from ..schema import CodingQuestion, Hint
from .record import record_grade
from .store import Store


def next_hint(hints: list[Hint], shown: list[int], failed: set[str]) -> int | None:
    """The hint to unlock after a failure: among those not yet shown, the one naming the most failing
    checks (the earlier one on a tie); the next one in order when none names any; None when all are shown."""
    unseen = [i for i in range(len(hints)) if i not in shown]
    if not unseen:
        return None
    return max(unseen, key=lambda i: (len(failed.intersection(hints[i].checks)), -i))


class Watcher:
    """Grades one file for one question and remembers which hints it has shown."""

    def __init__(self, bank: Bank, qid: str, file: Path, settings: Settings, console: Console,
                 lang: str, db: Path | None, clock: Callable[[], datetime]):
        """`db` None: grade without recording anything."""
        self.bank, self.file, self.settings = bank, file, settings
        self.q = bank.get(qid)
        if not isinstance(self.q, CodingQuestion):
            raise AttnbankError(f"'{qid}' is a {self.q.kind} question: only coding questions are graded")
        self.console, self.lang, self.db, self.clock = console, lang, db, clock
        self.t = strings(lang)
        self.shown: list[int] = []  # indices of the hints shown so far, in the order they were unlocked

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
            failed = {c.name for c in verdict.checks if c.passed is False}
            pick = next_hint(self.q.coding.hints, self.shown, failed)
            if pick is not None:
                self.shown.append(pick)
            for i in sorted(self.shown):
                style = "yellow" if i == pick else "dim"
                self.console.print(Panel(markdown(self.q.coding.hints[i].get(self.lang)),
                                         title=self.t["hint_n"].format(i=i + 1), title_align="left",
                                         border_style=style))
        if self.db is not None:
            rating = Rating.Hard if len(self.shown) >= 2 else Rating.Good
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
