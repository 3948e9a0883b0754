"""Shared fixtures: the real bank, a writer for candidate files, and a grading helper."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from grader.bank import Bank, load_bank
from grader.grade import grade_files
from grader.index import summarise
from grader.sandbox import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_user_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test away from the user's progress database and workspace (see grader/practice)."""
    monkeypatch.setenv("ATTNBANK_DB", str(tmp_path / "progress.db"))
    monkeypatch.setenv("ATTNBANK_WORKSPACE", str(tmp_path / "workspace"))


@pytest.fixture(scope="session")
def bank() -> Bank:
    return load_bank(ROOT)


@pytest.fixture
def write(tmp_path: Path):
    """write(name, source) -> path of a dedented candidate file in a temp dir."""

    def _write(name: str, source: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return path

    return _write


def grade_many(bank: Bank, qid: str, files: list[Path], **settings: Any) -> list[dict[str, Any]]:
    """Grade several files for one question in one sandboxed worker; the verdicts in their JSON form."""
    return [v.as_dict() for v in grade_files(bank.root, summarise(bank, bank.get(qid)), files, Settings(**settings))]


def check_named(verdict: dict[str, Any], name: str) -> dict[str, Any]:
    """The check result called `name` in a verdict (KeyError if it did not run)."""
    for c in verdict["checks"]:
        if c["name"] == name:
            return c
    raise KeyError(f"{name} not in {[c['name'] for c in verdict['checks']]}")


def first_failure(verdict: dict[str, Any]) -> str:
    return next(c["name"] for c in verdict["checks"] if c["passed"] is False)
