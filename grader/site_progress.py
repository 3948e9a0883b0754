"""The study site's progress overview page (progress.html): the topics and their questions in study order.

The page itself holds no progress: site/static/progress.js fills it in from the browser's localStorage and,
under `attnbank site serve`, from the grade log (`GET /api/grades`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment

from .bank import Bank


def write(env: Environment, bank: Bank, contexts: list[dict[str, Any]], out: Path) -> None:
    """Render progress.html into `out` from the question contexts (rendered titles, in study order)."""
    topics = []
    for t in bank.topics:
        questions = [(c["q"], c["title"]) for c in contexts if c["q"].topic == t.id]
        if questions:
            topics.append({"topic": t, "questions": questions})
    html = env.get_template("progress.html").render(base="", topics=topics, total=len(contexts))
    (out / "progress.html").write_text(html, encoding="utf-8")
