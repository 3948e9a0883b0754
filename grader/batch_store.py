"""The resumable result store of `grade-batch`: one SQLite file in OUT, one row per graded (file, settings).

A row's key is the SHA-256 of everything that decides a verdict: the file's bytes, the question, the bank's
version of that question (its YAML and solution files), the grader's version, device, dtype and seed. A
result is committed the moment its verdict arrives, so a batch killed with kill -9 loses only the files
being graded at that moment, and a re-run grades only what has no row.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from .errors import AttnbankError

SCHEMA = """CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY, question TEXT NOT NULL, sha256 TEXT NOT NULL,
    verdict TEXT NOT NULL, seconds REAL NOT NULL, graded_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"""


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def question_version(question_file: Path, solutions: Path) -> str:
    """A digest of what grading a question depends on in the bank: its YAML and its solution files."""
    h = hashlib.sha256(question_file.read_bytes())
    for path in sorted(p for p in solutions.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(f"\n{path.relative_to(solutions)}\n".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def result_key(sha256: str, question: str, version: str, grader_version: str, settings: dict[str, Any]) -> str:
    parts = [sha256, question, version, grader_version, settings["device"], settings["dtype"], settings["seed"]]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


class Store:
    """Thread-safe access to OUT/results.sqlite (verdicts arrive from several grading threads)."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise AttnbankError(f"{path}: not a grade-batch result store ({exc}); give another --out") from exc
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[dict[str, Any], float] | None:
        with self._lock:
            row = self._db.execute("SELECT verdict, seconds FROM results WHERE key = ?", (key,)).fetchone()
        return (json.loads(row[0]), row[1]) if row else None

    def put(self, key: str, question: str, sha256: str, verdict: dict[str, Any], seconds: float) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO results (key, question, sha256, verdict, seconds) "
                             "VALUES (?, ?, ?, ?, ?)", (key, question, sha256, json.dumps(verdict), seconds))

    def close(self) -> None:
        self._db.close()
