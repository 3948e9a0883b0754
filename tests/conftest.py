"""Shared fixtures: isolation from the user's folders, the real bank, a writer for candidate files, a grading helper."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.bank import Bank, load_bank
from grader.grade import grade_files
from grader.index import summarise
from grader.sandbox import Settings

ROOT = Path(__file__).resolve().parent.parent
USER_DIRS = ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME")


@pytest.fixture(scope="session", autouse=True)
def _no_user_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point the cache, data, config and state folders (and Python's bytecode cache) into a session temp dir,
    for this process and every subprocess: tests never write into the user's folders or the source tree."""
    base = tmp_path_factory.mktemp("user")
    with pytest.MonkeyPatch.context() as mp:
        for name in USER_DIRS:
            mp.setenv(name, str(base / name.lower()))
        mp.setenv("PYTHONPYCACHEPREFIX", str(base / "pycache"))
        mp.setattr(sys, "pycache_prefix", str(base / "pycache"))
        mp.delenv("ATTNBANK_ROOT", raising=False)  # the bank under test is this checkout's, unless a test says so
        yield base


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where tests leave files worth a look (browser screenshots): a temp dir, never the source tree."""
    return tmp_path_factory.mktemp("artifacts")


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
