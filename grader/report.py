"""Render verdicts for the terminal (rich) or as JSON; no grading logic here."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

ICONS = {True: ("✔", "green"), False: ("✘", "red"), None: ("–", "yellow")}
HEADLINES = {
    "passed": ("PASSED", "bold green"),
    "failed": ("FAILED", "bold red"),
    "error": ("ERROR: your code raised an exception", "bold red"),
    "timeout": ("TIMEOUT", "bold red"),
    "crashed": ("CRASHED", "bold red"),
    "invalid": ("INVALID SUBMISSION", "bold red"),
}


def as_json(verdict: dict[str, Any]) -> str:
    """The one-object JSON form of a verdict (see grader.grade)."""
    keys = ("question", "file", "passed", "status", "checks", "diagnosis", "diagnosis_text", "error")
    return json.dumps({k: verdict.get(k) for k in keys}, ensure_ascii=False, indent=2)


def _grid(rows: list[list[bool]], title: str) -> Text:
    text = Text(title + "\n", style="bold")
    for row in rows:
        for cell in row:
            text.append("■ " if cell else "· ", style="cyan" if cell else "dim")
        text.append("\n")
    return text


def render(verdict: dict[str, Any], console: Console, lang: str = "en") -> None:
    """Print a verdict: one line per check, then details of the failure and the diagnosis."""
    headline, style = HEADLINES[verdict["status"]]
    console.print(Text(f"{verdict['question']}: {headline}", style=style))
    table = Table(show_header=False, box=None, padding=(0, 1))
    for c in verdict["checks"]:
        icon, colour = ICONS[c["passed"]]
        table.add_row(Text(icon, style=colour), Text(c["name"], style="bold"), Text(c["message"]))
    console.print(table)
    for c in verdict["checks"]:
        d = c.get("details") or {}
        if c["passed"] is False and "expected_grid" in d:
            parts = [_grid(d["expected_grid"], "expected: query row may see key column")]
            if "actual_grid" in d:
                parts.append(_grid(d["actual_grid"], "yours: keys each query's output depends on"))
            at = ", ".join(str(i) for i in d.get("grid_at", []))
            console.print(Panel(Group(*parts), title=f"{c['name']}: attention pattern at [{at}]",
                                expand=False))
    if verdict.get("error"):
        console.print(Panel(Text(verdict["error"].rstrip()), title="traceback (your code only)", style="red",
                            expand=False))
    if verdict.get("output") and verdict["status"] in ("crashed", "timeout"):
        console.print(Panel(Text(verdict["output"].rstrip()[-1500:]), title="last output", expand=False))
    diag = verdict.get("diagnosis_text")
    if diag:
        body = Text(diag["explanation"][lang])
        console.print(Panel(body, title=f"diagnosis: {diag['title'][lang]} ({verdict['diagnosis']})",
                            style="yellow", expand=False))
