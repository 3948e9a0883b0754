"""A cached summary of the bank for commands that must start fast (`list`, `grade`).

The summary is rebuilt from the validated bank whenever any question file changes (path, size or
mtime), and kept under $XDG_CACHE_HOME/attnbank (or ~/.cache/attnbank). This module imports neither
pydantic nor torch; on a cache miss it loads the full bank, so every problem is still reported.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .cachefile import write_cache
from .errors import unknown_id

VERSION = 3


def _fingerprint(root: Path) -> str:
    h = hashlib.sha256(f"{VERSION}:{root}".encode())
    qdir = root / "questions"
    for path in sorted([qdir / "topics.yaml", *qdir.glob("*/*.yaml")]):
        try:
            st = path.stat()
        except OSError:
            continue
        h.update(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _cache_file(root: Path) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "attnbank"
    return base / f"index-{hashlib.sha256(str(root).encode()).hexdigest()[:16]}.json"


def _build(root: Path) -> dict[str, Any]:
    from .bank import load_bank

    bank = load_bank(root)
    return {"topics": [t.model_dump() for t in bank.topics], "questions": [summarise(bank, q) for q in bank.questions]}


def summarise(bank, q) -> dict[str, Any]:
    """The index entry of one validated question of `bank`."""
    entry = {"id": q.id, "kind": q.kind, "topic": q.topic, "difficulty": q.difficulty, "tags": q.tags,
             "title": q.title.model_dump(), "file": str(bank.files[q.id])}
    if q.kind == "coding":
        entry.update(dtypes=q.coding.dtypes, timeout=q.coding.timeout, cpu_env=q.coding.cpu_env,
                     requires=q.coding.requires)
    return entry


def load_index(root: Path | None = None) -> dict[str, Any]:
    """{"topics": [...], "questions": [{id, kind, topic, difficulty, tags, title, file, ...}]}."""
    from . import paths

    root = root or paths.root()
    paths.require(root)
    fingerprint = _fingerprint(root)
    cache = _cache_file(root)
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data.get("fingerprint") == fingerprint:
            return data
    except (OSError, ValueError):
        pass
    data = {"fingerprint": fingerprint, **_build(root)}
    write_cache(cache, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    return data


def find(index: dict[str, Any], qid: str) -> dict[str, Any]:
    """The index entry of question `qid`, or an AttnbankError suggesting close ids."""
    for q in index["questions"]:
        if q["id"] == qid:
            return q
    raise unknown_id(qid, [q["id"] for q in index["questions"]])
