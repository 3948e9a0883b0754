"""Confining the candidate's process (grader.remote). PLACEHOLDER of the split17 branch, to be replaced at merge
by jail17's module (bubblewrap and rlimits): here nothing is confined and every command runs as it is."""

from __future__ import annotations

from pathlib import Path


def wrap(argv: list[str], workdir: Path) -> list[str]:
    """The command that runs `argv` confined, with `workdir` its only writable folder (here: `argv` itself)."""
    return argv


def available() -> bool:
    """Whether wrap() confines anything on this machine (here: never)."""
    return False
