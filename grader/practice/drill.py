"""A coding drill inside a practice session: `g` grades the workspace file, `e` opens $EDITOR, `r` resets
it to the starter, `h` shows the next hint, `n` skips it until tomorrow, `1` gives up (Again).

A due drill asks for a fresh attempt: the solved file is moved aside (never deleted) and the starter
written again, so the review tests recall rather than the file already in the editor.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from ..outcome import Settings
from ..schema import CodingQuestion
from ..workspace import starter_path, write_starter
from .answers import QUIT, UNDO
from .planner import next_day
from .watch import Watcher, code_lines

if TYPE_CHECKING:
    from .session import Session

KEYS = "gehrn1u"


def set_aside(path: Path, now: datetime) -> Path:
    """Move `path` into old/ beside it, under a name with the time; return where it went."""
    old = path.parent / "old"
    old.mkdir(exist_ok=True)
    target = old / f"{path.stem}_{now.astimezone():%Y%m%d_%H%M%S}{path.suffix}"
    os.replace(path, target)
    return target


def prepare(s: Session, q: CodingQuestion, tag: str) -> Path:
    """The drill's file in the workspace: the starter, fresh for a due review; say where it is."""
    path = starter_path(s.workspace, q.id)
    if path.exists() and tag != "new" and code_lines(path.read_text(errors="replace")) != code_lines(q.coding.starter):
        moved = set_aside(path, s.clock())
        s.console.print(s.t["fresh"].format(old=moved))
    if path.exists():
        s.console.print(f"{s.t['kept']}: [bold]{path}[/]")
    else:
        write_starter(s.bank, q.id, s.workspace)
        s.console.print(f"{s.t['workspace']}: [bold]{path}[/]")
    extra = f" --db {shlex.quote(str(s.store.path))}" + (f" --lang {s.lang}" if s.lang != "en" else "")
    s.console.print(f"{s.t['coding_next']}  [bold cyan]attnbank watch {q.id} {shlex.quote(str(path))}{extra}[/]\n"
                    f"{s.t['or_grade']}  [cyan]attnbank grade {q.id} {shlex.quote(str(path))}{extra}[/]",
                    soft_wrap=True)
    return path


def coding(s: Session, q: CodingQuestion, tag: str) -> str | None:
    """Run the drill's keys until it passes (recorded by the grading), is skipped, rated Again or left.

    Returns "1", QUIT or UNDO; None when the drill is done for this session."""
    path = prepare(s, q, tag)
    watcher = Watcher(s.bank, q.id, path, Settings(contract=True), s.console, s.lang, s.store.path, s.clock, "practice")
    while True:
        key = s.answers.key(s.t["coding_keys"], KEYS)
        if key in (QUIT, UNDO, "1"):
            return key
        if key == "n":
            s.defer(q.id, next_day(s.clock()))
            return None
        if key == "g":
            verdict = watcher.grade_once(clear=False)
            if verdict is not None and verdict.passed:
                if watcher.review is not None and watcher.card is not None:
                    s.note(q, watcher.review, watcher.card)
                s.console.print(Text(f"✔ {q.id}: {s.t['drill_passed']}", style="bold green"))
                return None
        elif key == "e":
            edit(s, path)
        elif key == "r":
            if path.exists():
                s.console.print(s.t["fresh"].format(old=set_aside(path, s.clock())))
            write_starter(s.bank, q.id, s.workspace, force=True)
            s.console.print(f"{s.t['workspace']}: [bold]{path}[/]")
        elif key == "h":
            watcher.hint()


def edit(s: Session, path: Path) -> None:
    """Open `path` in $VISUAL or $EDITOR and wait for it to close."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        s.console.print(f"[yellow]{s.t['no_editor'].format(file=path)}[/]")
        return
    try:
        subprocess.run([*shlex.split(editor), str(path)], check=False)
    except OSError as exc:
        s.console.print(f"[yellow]{s.t['editor_failed'].format(editor=editor, error=exc.strerror)}[/]")
