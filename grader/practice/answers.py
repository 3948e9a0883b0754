"""Where a session's answers come from: the keyboard (single keys, lines), or a scripted answers file."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from rich.console import Console
from rich.text import Text

from ..errors import AttnbankError

QUIT = "q"
UNDO = "u"
WORDS = {"again": "1", "hard": "2", "good": "3", "easy": "4", "quit": "q", "next": "n", "skip": "n",
         "undo": "u", "grade": "g", "reset": "r", "hint": "h", "suspend": "s",
         "重来": "1", "困难": "2", "良好": "3", "简单": "4", "退出": "q", "撤销": "u"}


class Answers(Protocol):
    """Where answers come from: the keyboard, or an answers file."""

    interactive: bool

    def key(self, prompt: str, keys: str) -> str:
        """One of `keys` (a single character each), or QUIT."""

    def line(self, prompt: str) -> str:
        """A line of text, or QUIT."""

    def pause(self, prompt: str) -> str:
        """Wait for any key after feedback: UNDO, QUIT, or "" to go on (scripts never wait)."""

    def invalid(self, text: str, problem: str) -> None:
        """The last line cannot be used: say so (and ask again), or stop the session."""


class Keyboard:
    """Answers typed in a terminal: single keys for ratings (no Enter), lines for answers."""

    interactive = True

    def __init__(self, console: Console, invalid_key: str = ""):
        self.console = console
        self.invalid_key = invalid_key  # "{key} is not one of {keys}"-style message, formatted with the keys

    def key(self, prompt: str, keys: str) -> str:
        self.console.print(Text(prompt, style="bold"))
        while True:
            try:
                ch = read_key().lower()
            except (KeyboardInterrupt, EOFError):
                self.console.print()
                return QUIT
            if ch in keys or ch == QUIT:
                self.console.print(f"› {ch}", style="dim")
                return ch
            if self.invalid_key and ch.isprintable():
                self.console.print(Text(self.invalid_key.format(keys=" ".join([*keys, QUIT])), style="yellow"))

    def line(self, prompt: str) -> str:
        try:
            return self.console.input(Text(prompt, style="bold")).strip()
        except (KeyboardInterrupt, EOFError):
            self.console.print()  # the summary must not share the line of ^C
            return QUIT

    def pause(self, prompt: str) -> str:
        self.console.print(Text(prompt, style="dim"))
        try:
            ch = read_key().lower()
        except (KeyboardInterrupt, EOFError):
            return QUIT
        return ch if ch in (UNDO, QUIT) else ""

    def invalid(self, text: str, problem: str) -> None:
        self.console.print(Text(problem, style="yellow"))


@contextmanager
def cbreak_mode() -> Iterator[None]:
    """Single-key input while inside; re-applied after Ctrl-Z and `fg` (the shell resets the mode on suspend)."""
    try:
        import termios
        import tty
    except ImportError:  # Windows: no job control
        yield
        return
    fd = sys.stdin.fileno()
    if not os.isatty(fd):
        yield
        return
    saved = termios.tcgetattr(fd)

    def apply(*_args: object) -> None:
        tty.setcbreak(fd, termios.TCSANOW)  # Ctrl-C still raises KeyboardInterrupt

    previous = signal.signal(signal.SIGCONT, apply)
    try:
        apply()
        yield
    finally:
        signal.signal(signal.SIGCONT, previous)
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def read_key() -> str:
    """One key press, without Enter. Unlike click.getchar, keys typed ahead are kept, not flushed."""
    if sys.platform == "win32":
        import click

        return click.getchar()
    with cbreak_mode():
        data = os.read(sys.stdin.fileno(), 1)
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
        choice = WORDS.get(text.lower(), text.lower())
        if choice != QUIT and choice not in keys:
            self.invalid(text, f"expected one of {', '.join(keys)} or q here")
        return choice

    def line(self, prompt: str) -> str:
        text = self._next(prompt)
        return WORDS.get(text.lower(), text) if text.lower() in ("undo", "撤销") else text

    def pause(self, prompt: str) -> str:
        return ""

    def invalid(self, text: str, problem: str) -> None:
        raise AttnbankError(f"{self.path}:{self.number}: got '{text}': {problem}")
