"""Render verdicts for the terminal (rich) or as JSON; no grading logic here. Every text is a rich Text, never
parsed as markup."""

from __future__ import annotations

import json

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .i18n import strings
from .outcome import JSON_KEYS, Verdict

ICONS = {True: ("✔", "green"), False: ("✘", "red"), None: ("–", "yellow")}
HEADLINES = {
    "passed": ("PASSED", "bold green"),
    "failed": ("FAILED", "bold red"),
    "error": ("ERROR: your code raised an exception", "bold red"),
    "internal": ("INTERNAL ERROR in the grader, not in your code: please report it with this file", "bold magenta"),
    "timeout": ("TIMEOUT", "bold red"),
    "memory": ("OUT OF MEMORY: your code allocated more than the sandbox allows", "bold red"),
    "crashed": ("CRASHED", "bold red"),
    "invalid": ("INVALID SUBMISSION", "bold red"),
}
TRACEBACK_TITLES = {"internal": "the grader's traceback (a bug in attnbank)"}


def as_json(verdict: Verdict) -> str:
    """The one-object JSON form of a verdict (`grade --json`)."""
    d = verdict.as_dict()
    return json.dumps({k: d[k] for k in JSON_KEYS}, ensure_ascii=False, indent=2)


def _grid(rows: list[list[bool]], title: str) -> Text:
    text = Text(title + "\n", style="bold")
    for row in rows:
        for cell in row:
            text.append("■ " if cell else "· ", style="cyan" if cell else "dim")
        text.append("\n")
    return text


def render(verdict: Verdict, console: Console, lang: str = "en") -> None:
    """Print a verdict: one line per check, then details of the failure and the diagnosis."""
    headline, style = HEADLINES[verdict.status]
    console.print(Text(f"{verdict.question}: {headline}", style=style))
    table = Table(show_header=False, box=None, padding=(0, 1))
    for c in verdict.checks:
        icon, colour = ICONS[c.passed]
        table.add_row(Text(icon, style=colour), Text(c.name, style="bold"), Text(c.message))
    console.print(table)
    if verdict.dtypes:
        console.print(Text(strings(lang)["dtypes_run"].format(dtypes=", ".join(verdict.dtypes)), style="dim"))
    for c in verdict.checks:
        d = c.details
        if c.passed is False and "expected_grid" in d:
            parts = [_grid(d["expected_grid"], "expected: query row may see key column")]
            if "actual_grid" in d:
                parts.append(_grid(d["actual_grid"], "yours: keys each query's output depends on"))
            at = ", ".join(str(i) for i in d.get("grid_at", []))
            console.print(Panel(Group(*parts), title=Text(f"{c.name}: attention pattern at [{at}]"), expand=False))
    if verdict.error:
        title = TRACEBACK_TITLES.get(verdict.status, "traceback (your code only)")
        console.print(Panel(Text(verdict.error.rstrip()), title=Text(title), style="red", expand=False))
    if verdict.output and verdict.status in ("crashed", "timeout", "memory"):
        console.print(Panel(Text(verdict.output.rstrip()[-1500:]), title="last output", expand=False))
    diag = verdict.diagnosis_text
    if diag:
        body = Text(diag["explanation"][lang])
        console.print(Panel(body, title=Text(f"diagnosis: {diag['title'][lang]} ({verdict.diagnosis})"),
                            style="yellow", expand=False))
