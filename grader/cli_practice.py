"""The practice commands: `practice`, `watch`, `progress export|import|path` and `stats`.

Registered on the main group at the bottom of grader/cli.py. Only click is imported here at import
time; everything else is imported by the command that needs it, so `attnbank list` stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import click

from .errors import AttnbankError
from .vocab import DTYPES, KINDS

LANGS = click.Choice(["en", "zh"])
DB_HELP = "Progress database (default: $ATTNBANK_DB, else progress.db in the user data dir)."
ANSWERS_HELP = """Read answers from FILE instead of the keyboard, one per prompt (blank lines and
# comments skipped): a concept card takes a rating (1-4, again/hard/good/easy or 重来/困难/良好/简单); a quiz takes its
answer (choice letters such as B or A,C; or a number); a coding drill takes g (grade), h (hint), r (reset),
n (skip until tomorrow) or 1 (Again). u takes back the previous rating. q, or the end of the file, ends the
session."""


def _now(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Callable[[], datetime]:
    """The clock: the real UTC time, or (hidden --now, for tests) that time plus the time elapsed since."""
    if value is None:
        return lambda: datetime.now(timezone.utc)
    import time
    from datetime import timedelta

    from .practice.scheduler import utc

    try:
        start = utc(datetime.fromisoformat(value))
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 time: {value}") from None
    began = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - began)


db_option = click.option("--db", type=click.Path(dir_okay=False, path_type=Path), help=DB_HELP)
lang_option = click.option("--lang", type=LANGS, default="en", show_default=True)
now_option = click.option("--now", "clock", callback=_now, hidden=True,
                          help="Pretend the session starts at this UTC time (tests).")
workspace_option = click.option("--workspace", type=click.Path(file_okay=False, path_type=Path),
                                help="Folder for coding drills (default: $ATTNBANK_WORKSPACE, else "
                                     "workspace/ in the user data dir).")


def _console():
    from rich.console import Console

    return Console(highlight=False)


def _bank():
    from .bank import load_bank

    return load_bank()


@click.command()
@click.option("--topic", help="Only this topic.")
@click.option("--kind", type=click.Choice(list(KINDS)), help="Only this kind.")
@click.option("--difficulty", type=click.Choice(["easy", "medium", "hard"]), help="Only this difficulty.")
@click.option("--id", "qid", metavar="ID", help="Practise this one question now, due or not.")
@click.option("--new", "new", type=click.IntRange(min=0), default=10, show_default=True,
              help="New cards per day (the study day starts at 04:00 local time).")
@click.option("--reviews", type=click.IntRange(min=0), default=200, show_default=True,
              help="Due reviews per day.")
@lang_option
@db_option
@workspace_option
@click.option("--answers", type=click.Path(dir_okay=False, exists=True, path_type=Path), help=ANSWERS_HELP)
@now_option
def practice(topic: str | None, kind: str | None, difficulty: str | None, qid: str | None, new: int,
             reviews: int, lang: str, db: Path | None, workspace: Path | None, answers: Path | None,
             clock: Callable[[], datetime]) -> None:
    """A spaced-repetition session (FSRS): due cards first, then new ones, within daily limits.

    \b
    Concept cards: think or type an answer, see the model answer, rate 1 Again, 2 Hard, 3 Good, 4 Easy
    (each key shows the interval it gives). Quizzes: answer with letters or a number; right is rated
    Good, wrong Again. A new or failed card comes back in the same session (learning steps).
    Coding drills: g grades the workspace file, e edits it, h hints, r resets it, n skips it until
    tomorrow. u undoes the last rating; q quits; every rating is saved as it is given.
    Without a terminal, pass --answers FILE (otherwise the command exits with status 2).
    """
    from .practice.answers import Keyboard, Script
    from .practice.planner import Limits, Plan, due_counts, plan, used_today
    from .practice.scheduler import span, utc
    from .practice.session import Session
    from .practice.store import Store

    console = _console()
    if answers is None and not sys.stdin.isatty():
        raise AttnbankError("practice needs a terminal (stdin is not a TTY); "
                            "for a scripted session pass --answers FILE")
    bank = _bank()
    if topic and topic not in {t.id for t in bank.topics}:
        raise AttnbankError(f"unknown topic '{topic}' (topics: {', '.join(t.id for t in bank.topics)})")
    pool = [bank.get(qid)] if qid else bank.select(topic, kind, difficulty)
    with Store.open(db) as store:
        t = _strings(lang)
        source = Script(answers, console) if answers else Keyboard(console, t["invalid_key"])
        session = Session(bank, store, source, console, workspace_dir(workspace), clock, lang,
                          pool_ids={q.id for q in pool})
        cards, now = store.cards(), clock()
        if qid:
            session.plan = Plan([(pool[0], "due" if qid in cards else "new")])
        else:
            session.plan = plan(bank, cards, store.hidden(now), now, Limits(new, reviews),
                                used_today(store.reviews(), now), topic, kind, difficulty)
        if not session.plan.queue:
            filters = "".join(f" ({k} {v})" for k, v in (("topic", topic), ("kind", kind),
                                                         ("difficulty", difficulty)) if v)
            console.print(t["nothing"].format(filters=filters))
            due_now, upcoming = due_counts(cards, session.pool_ids, now)
            if upcoming:
                console.print(t["next_due"].format(when=f"{upcoming.astimezone():%Y-%m-%d %H:%M}",
                                                   span=span(upcoming - utc(now), lang)))
            if session.plan.held_new or session.plan.held_due:
                console.print(t["held"].format(new=session.plan.held_new, due=session.plan.held_due))
            return
        session.run()


def _strings(lang: str) -> dict[str, str]:
    from .i18n import strings

    return strings(lang)


def workspace_dir(option: Path | None) -> Path:
    """Where coding drills are written: `--workspace`, else $ATTNBANK_WORKSPACE, else the user data dir."""
    if option:
        return option
    env = os.environ.get("ATTNBANK_WORKSPACE")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("attnbank") / "workspace"


@click.command()
@click.argument("qid", metavar="ID")
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True)
@click.option("--dtype", type=click.Choice(list(DTYPES)),
              help="Grade in this dtype only (default: float32, plus the float64 and bfloat16 contract passes).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
              help="CPU seconds before the candidate is stopped (default: the question's).")
@lang_option
@db_option
@click.option("--no-record", is_flag=True, help="Do not log grades and reviews in the progress database.")
@workspace_option
@now_option
def watch(qid: str, file: Path | None, device: str, dtype: str | None, seed: int, timeout: float | None, lang: str,
          db: Path | None, no_record: bool, workspace: Path | None, clock: Callable[[], datetime]) -> None:
    """Re-grade FILE on every save, with hints after failures (rustlings-style); Ctrl-C stops.

    FILE defaults to the question's file in the workspace (written from the starter if missing).
    Every failure unlocks one more hint, the one that fits the failing checks best; a pass records a
    review (Good; Hard after two or more hints) when the card is new or due.
    """
    from .grade import require_file
    from .outcome import Settings
    from .practice.store import Store, default_path
    from .practice.watch import Watcher
    from .practice.watch import watch as watch_loop
    from .workspace import starter_path, write_starter

    bank = _bank()
    if file is None:
        file = starter_path(workspace_dir(workspace), qid)
        if not file.exists():
            write_starter(bank, qid, file.parent)
    else:
        require_file(file)
    record_into = None if no_record else db or default_path()
    if record_into is not None:
        Store.open(record_into).close()  # an unusable database is reported now, not after a grading
    settings = Settings(device, dtype or "float32", seed, timeout, contract=dtype is None)
    watcher = Watcher(bank, qid, file, settings, _console(), lang, record_into, clock)
    watch_loop(watcher)


@click.group()
def progress() -> None:
    """Export, import or locate your progress database."""


@progress.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@lang_option
def progress_export(file: Path, db: Path | None, lang: str) -> None:
    """Write every review and grade to FILE (JSON)."""
    from .practice.exchange import export_progress
    from .practice.store import Store

    with Store.open(db, create=False) as store:
        counts = export_progress(store, file)
    click.echo(_strings(lang)["progress_exported"].format(**counts, file=file))


@progress.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@db_option
@lang_option
def progress_import(file: Path, db: Path | None, lang: str) -> None:
    """Merge an export into the database (reviews already there are not duplicated)."""
    from .practice.exchange import import_progress
    from .practice.store import Store

    drills = {q.id for q in _bank().select(kind="coding")}
    with Store.open(db) as store:
        counts = import_progress(store, file, drills)
    click.echo(_strings(lang)["progress_imported"].format(**counts, file=store.path))


@progress.command("path")
@db_option
def progress_path(db: Path | None) -> None:
    """Print where the progress database is (it may not exist yet)."""
    from .practice.store import default_path

    click.echo(db or default_path())


@click.command()
@click.option("--days", type=click.IntRange(min=1, max=366), default=7, show_default=True,
              help="Days in the reviews-per-day chart.")
@lang_option
@db_option
@now_option
def stats(days: int, lang: str, db: Path | None, clock: Callable[[], datetime]) -> None:
    """Streak, time studied, retention, due and overdue cards with a 7-day forecast, reviews per day, and
    the weakest started topics (by share of Again); topics not started are listed apart.

    With no progress database yet, the summary is empty (and no database is created).
    """
    from .practice.stats import compute, render
    from .practice.store import Store, default_path

    bank = _bank()
    path = db or default_path()
    if not path.exists():
        result = compute(bank, [], {}, {}, clock(), lang, days)
    else:
        with Store.open(path, create=False) as store:
            result = compute(bank, store.reviews(), store.cards(), store.status(), clock(), lang, days)
    render(result, _console(), lang)


@click.command()
@click.argument("qids", nargs=-1, required=True, metavar="ID...")
@db_option
@lang_option
def suspend(qids: tuple[str, ...], db: Path | None, lang: str) -> None:
    """Suspend questions: practice sessions leave them out until `attnbank unsuspend`."""
    _set_suspended(qids, db, True, lang)


@click.command()
@click.argument("qids", nargs=-1, required=True, metavar="ID...")
@db_option
@lang_option
def unsuspend(qids: tuple[str, ...], db: Path | None, lang: str) -> None:
    """Bring suspended questions back into practice sessions."""
    _set_suspended(qids, db, False, lang)


def _set_suspended(qids: tuple[str, ...], db: Path | None, suspended: bool, lang: str) -> None:
    from .practice.store import Store

    bank = _bank()
    for qid in qids:
        bank.get(qid)  # an unknown id is an error before anything is written
    with Store.open(db) as store:
        for qid in qids:
            store.suspend(qid, suspended)
    click.echo(_strings(lang)["cli_suspended" if suspended else "cli_unsuspended"].format(ids=", ".join(qids)))


COMMANDS = (practice, watch, progress, stats, suspend, unsuspend)
