"""Starter files for coding questions: where they go and how they are written."""

from __future__ import annotations

from pathlib import Path

from .bank import Bank
from .errors import AttnbankError
from .schema import CodingQuestion


def starter_path(directory: Path, qid: str) -> Path:
    """The starter file of `qid` in `directory` (snake_case, like a Python module)."""
    return directory / f"{qid.replace('-', '_')}.py"


def write_starter(bank: Bank, qid: str, directory: Path, force: bool = False) -> Path:
    """Write the starter of coding question `qid`; refuse to overwrite unless `force`."""
    q = bank.get(qid)
    if not isinstance(q, CodingQuestion):
        raise AttnbankError(f"'{qid}' is a {q.kind} question and has no starter code")
    path = starter_path(directory, qid)
    if path.exists() and not force:
        raise AttnbankError(f"{path} already exists (use --force to overwrite it)")
    directory.mkdir(parents=True, exist_ok=True)
    header = f"# attnbank: {q.id} ({q.title.en})\n# grade with: attnbank grade {q.id} {path}\n\n"
    path.write_text(header + q.coding.starter, encoding="utf-8")
    return path
