"""Writing the user-cache files (index, parsed YAML, rendered site texts, heatmaps): atomically, never failing."""

from __future__ import annotations

import os
from pathlib import Path


def write_cache(path: Path, data: bytes) -> bool:
    """Write `data` to `path` through a temp file and a rename, so a concurrent reader sees the old file or the
    new one, never half of one. False (and nothing raised) where it cannot be written: a cache only costs speed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError:
        return False
    return True
