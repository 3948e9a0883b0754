"""Parsed question files kept between runs: loading the bank parses only the YAML files that changed.

Parsing is most of what loading the bank costs (PyYAML builds the objects in Python even with its C
scanner). Each file's parsed data is kept with its size and mtime (the fingerprint grader/index.py uses too)
in one marshal file per bank and Python version under $XDG_CACHE_HOME/attnbank (or ~/.cache/attnbank).
Data that marshal cannot hold (a YAML date, say) is simply parsed every time; a cache that cannot be read or
written only costs speed. Validation is not cached: every load still checks every question.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any

import yaml

from .cachefile import write_cache

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlCache:
    """`load(path)` parses `path` or returns its data from the last run; `save()` keeps this run's."""

    def __init__(self, root: Path):
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "attnbank"
        tag = hashlib.sha256(f"{root.resolve()}:{sys.version}".encode()).hexdigest()[:16]
        self.file = base / f"yaml-{tag}.marshal"
        self.new: dict[str, tuple[tuple[int, int], Any]] = {}
        try:
            self.old = marshal.loads(self.file.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            self.old = {}

    def load(self, path: Path) -> Any:
        """The file's data; OSError and yaml.YAMLError as from reading and parsing it."""
        st = path.stat()
        stamp = (st.st_size, st.st_mtime_ns)
        kept = self.old.get(str(path)) if isinstance(self.old, dict) else None
        if kept and kept[0] == stamp:
            self.new[str(path)] = kept
            return kept[1]
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=Loader)
        try:
            marshal.dumps(data)
        except ValueError:
            return data
        self.new[str(path)] = (stamp, data)
        return data

    def save(self) -> None:
        if self.new == self.old:
            return
        write_cache(self.file, marshal.dumps(self.new))
