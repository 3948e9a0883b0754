"""Asking one concept card or quiz in a session, and showing the feedback so that it can be read.

Each function returns the rating as a key ("1"-"4"), QUIT or UNDO. The last lines on screen are always
the verdict, your answer beside the model answer, and the prompt: long explanations scroll above them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.console import Group
from rich.panel import Panel
from rich.styled import Styled
from rich.table import Table
from rich.text import Text

from ..render_terminal import markdown
from ..schema import ConceptQuestion, QuizQuestion
from .answers import QUIT, UNDO

if TYPE_CHECKING:
    from .session import Session

SIDE_BY_SIDE = 100  # terminal columns from which your answer and the model answer sit side by side


def reveal(s: Session, q, typed: str = "") -> None:
    """The model answer (beside or above your typed answer) and the pitfalls."""
    model = Panel(markdown(q.answer.get(s.lang)), title=s.t["answer"], title_align="left", border_style="green")
    if typed:
        yours = Panel(Text(typed), title=s.t["your_answer"], title_align="left", border_style="cyan")
        if s.console.width >= SIDE_BY_SIDE:
            grid = Table.grid(expand=True, padding=(0, 1))
            grid.add_column(ratio=1)
            grid.add_column(ratio=2)
            grid.add_row(yours, model)
            s.console.print(grid)
        else:
            s.console.print(yours, model)
    else:
        s.console.print(model)
    if q.pitfalls:
        s.console.print(f"[bold]{s.t['pitfalls']}[/]")
        for p in q.pitfalls:
            s.console.print(markdown(f"- {p.get(s.lang)}"))


def concept(s: Session, q: ConceptQuestion) -> str:
    typed = ""
    if s.answers.interactive:
        typed = s.answers.line(s.t["think"])
        if typed.lower() in (QUIT, UNDO):
            return typed.lower()
    reveal(s, q, typed)
    return s.answers.key(s.rate_prompt(q), "1234u")


def quiz(s: Session, q: QuizQuestion) -> str:
    """Ask the quiz, check it, explain it; right is rated Good, wrong Again."""
    quiz = q.quiz
    if quiz.type == "choice":
        letters = "".join(chr(65 + i) for i in range(len(quiz.choices)))
        for letter, c in zip(letters, quiz.choices, strict=True):
            s.console.print(_choice_line(letter, markdown(c.text.get(s.lang))))
        if quiz.multiple:
            s.console.print(f"  [dim]({s.t['several']})[/]")
        prompt = s.t["choice"].format(s="s" if quiz.multiple and s.lang == "en" else "")
        picked = ask(s, prompt, lambda text: parse_letters(text, letters), s.t["bad_choice"].format(letters=letters))
        if picked in (QUIT, UNDO):
            return picked
        key = {letter for letter, c in zip(letters, quiz.choices, strict=True) if c.correct}
        right = picked == key
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for letter, c in zip(letters, quiz.choices, strict=True):
            mark = "[green]✔[/]" if c.correct else "[red]✘[/]"
            chosen = "»" if letter in picked else " "
            grid.add_row(f"{chosen}{mark} [bold]{letter}.[/]",
                         Group(markdown(c.text.get(s.lang)), Styled(markdown(c.why.get(s.lang)), "dim")))
        s.console.print(grid)
        reveal(s, q)
        yours, answer = ",".join(sorted(picked)), ",".join(sorted(key))
    else:
        unit = s.t["unit"].format(unit=quiz.unit) if quiz.unit else ""
        value = ask(s, s.t["number"].format(unit=unit), parse_number, s.t["bad_number"])
        if value in (QUIT, UNDO):
            return value
        right = quiz.accepts(value)
        reveal(s, q)
        yours = f"{value:g} {quiz.unit or ''}".strip()
        answer = f"{quiz.value:g} {quiz.unit or ''} (±{quiz.rel_tol:.0%})".replace("  ", " ")
    verdict = (Text(f"✔ {s.t['quiz_right']}", style="bold green") if right
               else Text(f"✘ {s.t['quiz_wrong']}", style="bold red"))
    s.console.print(verdict.append("   " + s.t["you_said"].format(yours=yours, answer=answer), style="bold"))
    return "3" if right else "1"


def _choice_line(letter: str, text) -> Table:
    """A choice with its wrapped lines indented under the text, not under the letter."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row(Text(f"  {letter}.", style="bold"), text)
    return grid


def ask(s: Session, prompt: str, parse, problem: str):
    """A line parsed by `parse`, asked again while it does not parse; QUIT or UNDO as typed."""
    while True:
        text = s.answers.line(prompt)
        if text.lower() in (QUIT, UNDO):
            return text.lower()
        value = parse(text)
        if value is not None:
            return value
        s.answers.invalid(text, problem)


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
