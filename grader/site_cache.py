"""What the study site's build renders (Markdown, math, highlighted code, the search index), kept between builds.

Rendering is a pure function of a text, the renderer's source and its libraries' versions, so a fragment is
stored under the hash of its kind and text, in a file named by a hash of those sources and versions: a new
markdown-it, latex2mathml or Pygments, or an edit of grader/markup.py, cjk.py or site_search.py, starts an
empty cache. Each build keeps only the fragments it used. The file lives under $XDG_CACHE_HOME/attnbank
(or ~/.cache/attnbank), in marshal's format; a cache that cannot be read or written only costs speed.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from . import cjk, markup, site_search
from .cachefile import write_cache

RENDERERS = ("markdown-it-py", "mdit-py-plugins", "latex2mathml", "pygments")


def _salt() -> str:
    h = hashlib.sha256(sys.version.encode())  # marshal's format may change with Python
    for module in (markup, cjk, site_search):
        h.update(Path(module.__file__).read_bytes())
    for dist in RENDERERS:
        try:
            h.update(f"{dist}={metadata.version(dist)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=?\n".encode())
    return h.hexdigest()[:16]


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/attnbank, or ~/.cache/attnbank."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "attnbank"


def default_path() -> Path:
    return cache_dir() / f"site-render-{_salt()}.marshal"


class RenderCache:
    """Fragments by (kind, text); `render` computes a missing one, `save` writes the ones this build used."""

    def __init__(self, path: Path | None):
        self.path = path
        self.old: dict[str, str] = {}
        self.used: dict[str, str] = {}
        self.misses = 0
        if path is not None:
            try:
                self.old = marshal.loads(path.read_bytes())
            except (OSError, ValueError, EOFError, TypeError):
                self.old = {}
            if not isinstance(self.old, dict):
                self.old = {}

    def render(self, kind: str, text: str, fn: Callable[[str], str]) -> str:
        key = hashlib.blake2b(f"{kind}\0{text}".encode(), digest_size=16).hexdigest()
        html = self.used.get(key)
        if html is None:
            html = self.old.get(key)
            if html is None:
                html = fn(text)
                self.misses += 1
            self.used[key] = html
        return html

    def save(self) -> None:
        if self.path is None or (not self.misses and len(self.used) == len(self.old)):
            return
        if not write_cache(self.path, marshal.dumps(self.used)):
            return
        for stale in self.path.parent.glob("site-render-*.marshal"):
            if stale != self.path:
                with contextlib.suppress(OSError):
                    stale.unlink(missing_ok=True)  # written by other renderer sources or versions
