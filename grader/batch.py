"""`attnbank grade-batch`: grade a cohort's folder of submissions, resumably, on a local pool or on Ray.

DIR/<student>/<question-id>.py is one submission. Submissions are deduplicated by content, grouped per
question (one worker process starts torch and prepares the question once per group), graded through the
same sandbox as `attnbank grade`, and each verdict is committed to OUT/results.sqlite as it arrives. The
gradebook is then assembled from the store, so a re-run after a crash regrades nothing that finished.
"""

from __future__ import annotations

import math
import queue
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .batch_store import Store, question_version, result_key, sha256_file
from .errors import AttnbankError
from .outcome import Settings, Verdict
from .sandbox import Worker

GROUP_MAX = 16  # files per worker process: large enough to amortise start-up, small enough to spread work


@dataclass
class Submission:
    """One file of DIR: who sent it, for which question, and (if it cannot be graded) why not."""

    student: str
    question: str
    path: Path
    sha256: str = ""
    problem: str | None = None  # a gradebook status: not-a-question, refused, misplaced
    message: str = ""


@dataclass
class Group:
    """Unique sources of one question, graded in one worker process."""

    question: str
    items: list[tuple[str, bytes]]  # (sha256, source bytes)


Done = Callable[[str, str, dict[str, Any], float], None]  # (question, sha256, verdict, seconds)


def collect(folder: Path, coding: set[str]) -> list[Submission]:
    """Every file under DIR/<student>/, with what stops it from being graded, if anything."""
    if not folder.is_dir():
        raise AttnbankError(f"{folder} is not a folder of submissions (expected DIR/<student>/<question-id>.py)")
    top = folder.resolve()
    found: list[Submission] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if not entry.is_dir() or entry.is_symlink():
            why = ("refused", "a symbolic link: student folders must be real folders") if entry.is_symlink() else \
                  ("misplaced", "not inside a student folder (expected DIR/<student>/<question-id>.py)")
            found.append(Submission("", entry.stem, entry, problem=why[0], message=why[1]))
            continue
        for path in sorted(p for p in entry.iterdir() if not p.name.startswith(".")):
            found.append(_submission(entry.name, path, top, coding))
    return found


def _submission(student: str, path: Path, top: Path, coding: set[str]) -> Submission:
    sub = Submission(student, path.stem, path)
    if path.is_symlink() and not path.resolve().is_relative_to(top):
        sub.problem, sub.message = "refused", "a symbolic link leading out of the submissions folder"
    elif not path.is_file():
        sub.problem, sub.message = "not-a-question", "not a file"
    elif path.suffix != ".py" or path.stem not in coding:
        sub.problem, sub.message = "not-a-question", f"'{path.name}' is not named after a coding question (ID.py)"
    else:
        sub.sha256 = sha256_file(path)
    return sub


def groups_of(question: str, items: list[tuple[str, bytes]], jobs: int) -> list[Group]:
    """Split one question's sources into groups: at least one per job, at most GROUP_MAX files each."""
    if not items:
        return []
    size = max(1, min(GROUP_MAX, math.ceil(len(items) / max(1, jobs))))
    return [Group(question, items[i:i + size]) for i in range(0, len(items), size)]


def grade_group(group: Group, settings: dict[str, Any], root: str | None = None, on_done: Done | None = None,
                worker: Worker | None = None) -> list[tuple[str, dict[str, Any], float]]:
    """Grade one group in a sandboxed worker (`worker`, kept from group to group, if given): [(sha256, verdict,
    seconds)], each also passed to `on_done` as soon as it is known. Runs on the driver (local pool) or on any
    Ray node (its own bank under `root`)."""
    from . import paths
    from .grade import coding_entry, grade_files
    from .index import load_index

    bank_root = Path(root) if root else paths.root()
    entry = coding_entry(load_index(bank_root), group.question)
    out: list[tuple[str, dict[str, Any], float]] = []
    with tempfile.TemporaryDirectory(prefix="attnbank-batch-") as tmp:
        by_path: dict[str, str] = {}
        files = []
        for sha, source in group.items:
            path = Path(tmp) / f"{group.question.replace('-', '_')}_{sha[:16]}.py"
            path.write_bytes(source)
            by_path[str(path.resolve())] = sha
            files.append(path)
        started: dict[str, float] = {}
        finished: set[str] = set()

        def finish(file: str, verdict: dict[str, Any]) -> None:
            seconds = round(time.monotonic() - started.get(file, time.monotonic()), 3)
            finished.add(file)
            out.append((by_path[file], verdict, seconds))
            if on_done:
                on_done(group.question, by_path[file], verdict, seconds)

        def on_event(event: dict[str, Any]) -> None:
            if event["type"] == "start":
                started[event["file"]] = time.monotonic()
            elif event["type"] == "verdict":
                finish(event["file"], {k: v for k, v in event.items() if k != "type"})

        try:
            verdicts = grade_files(bank_root, entry, files, Settings(**settings), on_event, worker)
        except AttnbankError as exc:  # the question could not be prepared: every file of the group says so
            verdicts = [Verdict(file=str(f.resolve()), status="internal", error=str(exc)) for f in files]
        for v in verdicts:  # timeouts and crashes come back without a verdict event
            if v.file not in finished:
                v.question = group.question
                finish(v.file, v.as_dict())
    return out


def versions(root: Path, index: dict[str, Any], questions: set[str]) -> dict[str, str]:
    """The bank version of each question to grade (see batch_store.question_version)."""
    from .index import find

    return {q: question_version(root / find(index, q)["file"], root / "solutions" / q) for q in sorted(questions)}


def run_local(pending: list[Group], settings: dict[str, Any], jobs: int, on_done: Done) -> None:
    """Grade the groups on `jobs` kept sandboxed worker processes (threads supervise them), each taking the next
    group when it is free, so torch starts once per job slot rather than once per group."""
    workers = [Worker(keep=True) for _ in range(max(1, jobs))]
    free: queue.SimpleQueue[Worker] = queue.SimpleQueue()
    for w in workers:
        free.put(w)

    def task(group: Group) -> None:
        worker = free.get()
        try:
            grade_group(group, settings, None, on_done, worker)
        finally:
            free.put(worker)

    try:
        with ThreadPoolExecutor(max_workers=len(workers)) as pool:
            for fut in as_completed([pool.submit(task, g) for g in pending]):
                fut.result()
    finally:
        for w in workers:
            w.close()


def pending_groups(subs: list[Submission], store: Store, keys: Callable[[Submission], str],
                   jobs: int) -> list[Group]:
    """The groups still to grade: one source per distinct (question, content) without a stored result."""
    todo: dict[str, dict[str, bytes]] = {}
    for s in subs:
        if s.problem is None and store.get(keys(s)) is None:
            todo.setdefault(s.question, {}).setdefault(s.sha256, s.path.read_bytes())
    return [g for q in sorted(todo) for g in groups_of(q, sorted(todo[q].items()), jobs)]


def make_key(vers: dict[str, str], settings: dict[str, Any]) -> Callable[[Submission], str]:
    return lambda s: result_key(s.sha256, s.question, vers[s.question], __version__, settings)


@dataclass
class Row:
    """One gradebook line: a submission and what became of it."""

    student: str
    question: str
    status: str
    passed: bool
    diagnosis: str
    failed_check: str
    seconds: float
    sha256: str
    seed: int
    file: str
    message: str = ""
    verdict: dict[str, Any] | None = None


def run_batch(folder: Path, out: Path, settings: Settings, jobs: int, ray: str | None | bool,
              on_progress: Callable[[int, int], None] | None = None) -> list[Row]:
    """Grade every submission under `folder` into the store in `out`; the gradebook rows, in folder order.
    `ray` False: the local pool; None: a local Ray runtime; a string: the Ray cluster at that address."""
    from dataclasses import asdict

    from . import paths
    from .grade import check_settings
    from .index import find, load_index

    root = paths.root()
    index = load_index(root)
    subs = collect(folder, {e["id"] for e in index["questions"] if e["kind"] == "coding"})
    for q in sorted({s.question for s in subs if s.problem is None}):
        try:
            check_settings(find(index, q), settings)
        except AttnbankError as exc:
            for s in subs:
                if s.question == q and s.problem is None:
                    s.problem, s.message = "not-graded", str(exc)
    out.mkdir(parents=True, exist_ok=True)
    store = Store(out / "results.sqlite")
    sdict = asdict(settings)
    vers = versions(root, index, {s.question for s in subs if s.problem is None})
    key = make_key(vers, sdict)
    pending = pending_groups(subs, store, key, jobs)
    total, done = sum(len(g.items) for g in pending), 0

    def on_done(question: str, sha: str, verdict: dict[str, Any], seconds: float) -> None:
        nonlocal done
        store.put(result_key(sha, question, vers[question], __version__, sdict), question, sha, verdict, seconds)
        done += 1
        if on_progress:
            on_progress(done, total)

    if on_progress:
        on_progress(0, total)
    if ray is False:
        run_local(pending, sdict, jobs, on_done)
    else:
        from .batch_ray import run_ray

        run_ray(pending, sdict, ray or None, jobs, str(root), vers, on_done)
    rows = [_row(s, store.get(key(s)) if s.problem is None else None, settings.seed) for s in subs]
    store.close()
    return rows


def _row(s: Submission, stored: tuple[dict[str, Any], float] | None, seed: int) -> Row:
    base = dict(student=s.student, question=s.question, sha256=s.sha256, seed=seed, file=str(s.path))
    if stored is None:
        return Row(status=s.problem or "missing", passed=False, diagnosis="", failed_check="", seconds=0.0,
                   message=s.message or "no result was stored (the batch was interrupted?)", **base)
    verdict, seconds = stored
    failures = [c for c in verdict.get("checks", []) if c.get("passed") is False]
    # the message: a sandbox limit the file ran into (grader.jail), else the first failed check's, one line
    said = next((c for c in failures if c["name"] == "limits"), failures[0] if failures else None)
    message = " ".join(str(said.get("message", "")).split())[:300] if said else ""
    return Row(status=verdict["status"], passed=bool(verdict.get("passed")), diagnosis=verdict.get("diagnosis") or "",
               failed_check=failures[0]["name"] if failures else "", seconds=seconds, message=message,
               verdict=verdict, **base)
