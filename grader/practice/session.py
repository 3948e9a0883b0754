"""A practice session in the terminal: due cards first, then new ones, each answered and rated.

Concept cards are self-rated (1-4, like Anki). Quizzes are checked: a right answer is rated Good, a
wrong one Again. Coding drills write the starter into the workspace and point at `attnbank watch`;
their review is recorded when the code passes. Every rating is saved at once, so quitting loses nothing.
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from fsrs import Card
from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.styled import Styled
from rich.table import Table
from rich.text import Text

from ..bank import Bank
from ..errors import AttnbankError
from ..i18n import strings
from ..render_terminal import markdown
from ..schema import CodingQuestion, ConceptQuestion, QuizQuestion
from ..workspace import starter_path, write_starter
from .record import record_rating
from .scheduler import utc
from .store import Store

QUIT = "q"
RATING_WORDS = {"again": "1", "hard": "2", "good": "3", "easy": "4", "quit": "q", "next": "n", "skip": "n",
                "重来": "1", "困难": "2", "良好": "3", "简单": "4", "退出": "q"}


class Answers(Protocol):
    """Where answers come from: the keyboard, or an answers file."""

    interactive: bool

    def key(self, prompt: str, keys: str) -> str:
        """One of `keys` (a single character each), or QUIT."""

    def line(self, prompt: str) -> str:
        """A line of text, or QUIT."""

    def invalid(self, text: str, problem: str) -> None:
        """The last line cannot be used: say so (and ask again), or stop the session."""


class Keyboard:
    """Answers typed in a terminal: single keys for ratings (no Enter), lines for answers."""

    interactive = True

    def __init__(self, console: Console):
        self.console = console

    def key(self, prompt: str, keys: str) -> str:
        self.console.print(Text(prompt, style="bold"))
        while True:
            try:
                ch = read_key().lower()
            except (KeyboardInterrupt, EOFError):
                return QUIT
            ch = "n" if ch in ("\r", "\n") and "n" in keys else ch
            if ch in keys or ch == QUIT:
                self.console.print(f"› {ch}", style="dim")
                return ch

    def line(self, prompt: str) -> str:
        try:
            text = self.console.input(Text(prompt, style="bold")).strip()
        except (KeyboardInterrupt, EOFError):
            return QUIT
        return text

    def invalid(self, text: str, problem: str) -> None:
        self.console.print(Text(problem, style="yellow"))


def read_key() -> str:
    """One key press, without Enter. Unlike click.getchar, keys typed ahead are kept, not flushed."""
    try:
        import termios
        import tty
    except ImportError:  # Windows
        import click

        return click.getchar()
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd, termios.TCSANOW)  # Ctrl-C still raises KeyboardInterrupt
        data = os.read(fd, 1)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    if data in (b"", b"\x04"):
        raise EOFError
    return data.decode("latin-1")


class Script:
    """Answers read from a file: one per prompt, `#` comments and blank lines skipped."""

    interactive = False

    def __init__(self, path: Path, console: Console):
        try:
            raw = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise AttnbankError(f"cannot read the answers file {path}: {exc.strerror}") from None
        self.path = path
        self.console = console
        stripped = ((i, line.split("#", 1)[0].strip()) for i, line in enumerate(raw, 1))
        self.lines: Iterator[tuple[int, str]] = iter([(i, text) for i, text in stripped if text])
        self.ended = False
        self.number = 0

    def _next(self, prompt: str) -> str:
        try:
            self.number, text = next(self.lines)
        except StopIteration:
            self.ended = True
            return QUIT
        self.console.print(f"{prompt}{text}", markup=False)
        return text

    def key(self, prompt: str, keys: str) -> str:
        text = self._next(prompt + "\n")
        choice = RATING_WORDS.get(text.lower(), text.lower())
        if choice != QUIT and choice not in keys:
            self.invalid(text, f"expected one of {', '.join(keys)} or q here")
        return choice

    def line(self, prompt: str) -> str:
        return self._next(prompt)

    def invalid(self, text: str, problem: str) -> None:
        raise AttnbankError(f"{self.path}:{self.number}: got '{text}': {problem}")


@dataclass
class Session:
    """One study session over `queue` (questions with `is_new`), recording into `store` at `clock()`."""

    bank: Bank
    store: Store
    answers: Answers
    console: Console
    workspace: Path
    clock: Callable[[], datetime]
    lang: str = "en"
    queue: list[tuple[object, bool]] = field(default_factory=list)
    ratings: Counter = field(default_factory=Counter)

    @property
    def t(self) -> dict[str, str]:
        return strings(self.lang)

    def run(self) -> None:
        """Ask every card in the queue until the end or a quit."""
        for i, (q, is_new) in enumerate(self.queue, 1):
            tag = self.t["card_new"] if is_new else self.t["card_due"]
            # the title is text, never rich markup (a `[b, l]` in it would vanish)
            self.console.rule(Text.assemble((f"{i}/{len(self.queue)}", "bold"), f"  {q.title.get(self.lang)}  ",
                                            (f"{q.id} · {q.kind} · {q.topic} · {tag}", "dim")), align="left")
            self.console.print(Panel(markdown(q.prompt.get(self.lang)), title=self.t["prompt"],
                                     title_align="left"))
            drill = {"concept": self.concept, "quiz": self.quiz, "coding": self.coding}[q.kind]  # one per KINDS
            rating = drill(q)
            if rating == QUIT:
                break
            if rating is not None:
                record_rating(self.store, q.id, int(rating), self.clock(), "practice")
                self.ratings[int(rating)] += 1
        self.summary()

    def reveal(self, q) -> None:
        self.console.print(Panel(markdown(q.answer.get(self.lang)), title=self.t["answer"],
                                 title_align="left", border_style="green"))
        if q.pitfalls:
            self.console.print(f"[bold]{self.t['pitfalls']}[/]")
            for p in q.pitfalls:
                self.console.print(markdown(f"- {p.get(self.lang)}"))

    def concept(self, q: ConceptQuestion) -> str:
        if self.answers.interactive and self.answers.line(self.t["think"]) == QUIT:
            return QUIT
        self.reveal(q)
        return self.answers.key(self.t["rate"], "1234")

    def quiz(self, q: QuizQuestion) -> str:
        quiz = q.quiz
        if quiz.type == "choice":
            letters = "".join(chr(65 + i) for i in range(len(quiz.choices)))
            for letter, c in zip(letters, quiz.choices, strict=True):
                self.console.print(Padding(markdown(f"**{letter}\\.** {c.text.get(self.lang)}"), (0, 0, 0, 2)))
            if quiz.multiple:
                self.console.print(f"  [dim]({self.t['several']})[/]")
            prompt = self.t["choice"].format(s="s" if quiz.multiple and self.lang == "en" else "")
            picked = self._ask(prompt, lambda s: parse_letters(s, letters),
                               self.t["bad_choice"].format(letters=letters))
            if picked == QUIT:
                return QUIT
            right = picked == {letter for letter, c in zip(letters, quiz.choices, strict=True) if c.correct}
            self._verdict(right)
            grid = Table.grid(padding=(0, 1))
            grid.add_column(no_wrap=True)
            grid.add_column()
            for letter, c in zip(letters, quiz.choices, strict=True):
                mark = "[green]✔[/]" if c.correct else "[red]✘[/]"
                chosen = "»" if letter in picked else " "
                grid.add_row(f"{chosen}{mark} [bold]{letter}.[/]",
                             Group(markdown(c.text.get(self.lang)), Styled(markdown(c.why.get(self.lang)), "dim")))
            self.console.print(grid)
        else:
            unit = self.t["unit"].format(unit=quiz.unit) if quiz.unit else ""
            value = self._ask(self.t["number"].format(unit=unit), parse_number, self.t["bad_number"])
            if value == QUIT:
                return QUIT
            right = quiz.accepts(value)
            self._verdict(right)
            self.console.print(f"{self.t['answer_key']}: {quiz.value:g} {quiz.unit or ''} (±{quiz.rel_tol:.0%})")
        self.reveal(q)
        rating = "3" if right else "1"
        self.console.print(f"[dim]{self.t['rated']} {self.t[f'rating_{int(rating)}']}[/]")
        return rating

    def _ask(self, prompt: str, parse, problem: str):
        while True:
            text = self.answers.line(prompt)
            if text.lower() == QUIT:
                return QUIT
            value = parse(text)
            if value is not None:
                return value
            self.answers.invalid(text, problem)

    def _verdict(self, right: bool) -> None:
        self.console.print(f"[bold green]✔ {self.t['quiz_right']}[/]" if right
                           else f"[bold red]✘ {self.t['quiz_wrong']}[/]")

    def coding(self, q: CodingQuestion) -> str | None:
        path = starter_path(self.workspace, q.id)
        if path.exists():
            self.console.print(f"{self.t['kept']}: [bold]{path}[/]")
        else:
            write_starter(self.bank, q.id, self.workspace)
            self.console.print(f"{self.t['workspace']}: [bold]{path}[/]")
        self.console.print(f"{self.t['coding_next']}  [bold cyan]attnbank watch {q.id} {path}[/]\n"
                           f"{self.t['or_grade']}  [cyan]attnbank grade {q.id} {path}[/]")
        key = self.answers.key(self.t["coding_keys"], "n1")
        return None if key == "n" else key

    def summary(self) -> None:
        if isinstance(self.answers, Script) and self.answers.ended:
            self.console.print(f"[dim]{self.t['script_end']}[/]")
        counts = ", ".join(f"{self.t[f'rating_{r}']} {n}" for r, n in sorted(self.ratings.items())) or "–"
        self.console.print(self.t["done"].format(n=sum(self.ratings.values()), counts=counts,
                                                 db=self.store.path))
        upcoming = next_due(self.store.cards())
        if upcoming:
            self.console.print(self.t["next_due"].format(when=f"{upcoming:%Y-%m-%d %H:%M}"))


def parse_letters(text: str, letters: str) -> set[str] | None:
    """The set of choice letters in `text` ("b", "A,C", "a c"), or None if it has anything else."""
    picked = re.sub(r"[\s,;]+", "", text).upper()
    if not picked or any(ch not in letters for ch in picked):
        return None
    return set(picked)


def parse_number(text: str) -> float | None:
    """`text` as a float ("4096", "4,096", "1.5e3"), or None."""
    try:
        return float(text.replace(",", "").replace("_", ""))
    except ValueError:
        return None


def next_due(cards: dict[str, Card]) -> datetime | None:
    """The earliest due time among `cards`."""
    return min((c.due for c in cards.values()), default=None)


def plan(bank: Bank, cards: dict[str, Card], now: datetime, topic: str | None = None,
         kind: str | None = None, new: int = 10) -> list[tuple[object, bool]]:
    """The session's queue: due cards (most overdue first), then up to `new` never-reviewed questions."""
    pool = bank.select(topic, kind)
    now = utc(now)
    due = sorted((q for q in pool if q.id in cards and cards[q.id].due <= now), key=lambda q: cards[q.id].due)
    fresh = [q for q in pool if q.id not in cards][:max(new, 0)]
    return [(q, False) for q in due] + [(q, True) for q in fresh]


def workspace_dir(option: Path | None) -> Path:
    """Where coding drills are written: `--workspace`, else $ATTNBANK_WORKSPACE, else the user data dir."""
    if option:
        return option
    env = os.environ.get("ATTNBANK_WORKSPACE")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("attnbank") / "workspace"
