"""What `grade-batch` writes in OUT: gradebook.csv, results.jsonl (every full verdict) and summary.html."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import __version__
from .batch import Row

COLUMNS = ("student", "question", "status", "passed", "diagnosis", "failed_check", "seconds", "sha256", "seed",
           "file", "message")


def write_all(rows: list[Row], out: Path, settings: dict[str, Any]) -> None:
    write_gradebook(rows, out / "gradebook.csv")
    write_results(rows, out / "results.jsonl")
    write_summary(rows, out / "summary.html", settings)


def write_gradebook(rows: list[Row], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for r in rows:
            writer.writerow({**asdict(r), "passed": str(r.passed).lower()})


def write_results(rows: list[Row], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            verdict = {**(r.verdict or {}), "file": r.file} if r.verdict else None
            fh.write(json.dumps({"student": r.student, "question": r.question, "sha256": r.sha256, "seed": r.seed,
                                 "status": r.status, "message": r.message, "verdict": verdict}) + "\n")


def summary_context(rows: list[Row], settings: dict[str, Any]) -> dict[str, Any]:
    """Pass rates and the most common diagnoses per question, and each student's rows."""
    graded = [r for r in rows if r.verdict is not None]
    questions = []
    for qid in sorted({r.question for r in graded}):
        mine = [r for r in graded if r.question == qid]
        failed = [r for r in mine if not r.passed]
        passed = len(mine) - len(failed)
        questions.append({
            "id": qid, "total": len(mine), "passed": passed, "rate": passed / len(mine),
            "diagnoses": Counter(r.diagnosis for r in failed if r.diagnosis).most_common(5),
            "failed_checks": Counter(r.failed_check or r.status for r in failed if not r.diagnosis).most_common(3)})
    students = [{"name": name, "rows": [r for r in rows if r.student == name],
                 "passed": sum(r.passed for r in rows if r.student == name)}
                for name in sorted({r.student for r in rows})]
    return {"rows": rows, "questions": questions, "students": students, "settings": settings,
            "version": __version__, "title": f"{len(rows)} submissions"}


def write_summary(rows: list[Row], path: Path, settings: dict[str, Any]) -> None:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from .paths import site_dir

    env = Environment(loader=FileSystemLoader(site_dir() / "templates"), autoescape=True, undefined=StrictUndefined)
    path.write_text(env.get_template("gradebook.html").render(**summary_context(rows, settings)), encoding="utf-8")
