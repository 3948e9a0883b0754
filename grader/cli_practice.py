"""The practice commands: `practice`, `watch`, `progress export|import|path` and `stats`.

Registered on the main group at the bottom of grader/cli.py. Only click is imported here at import
time; everything else is imported by the command that needs it, so `attnbank list` stays fast.
"""

from __future__ import annotations

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
answer (choice letters such as B or A,C; or a number); a coding drill takes n (next: the review is
recorded when the code passes) or 1 (Again). q, or the end of the file, ends the session."""


def _now(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Callable[[], datetime]:
    """The clock: the real UTC time, or the fixed time of the hidden --now option."""
    if value is None:
        return lambda: datetime.now(timezone.utc)
    from .practice.scheduler import utc

    try:
        fixed = utc(datetime.fromisoformat(value))
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 time: {value}") from None
    return lambda: fixed


db_option = click.option("--db", type=click.Path(dir_okay=False, path_type=Path), help=DB_HELP)
lang_option = click.option("--lang", type=LANGS, default="en", show_default=True)
now_option = click.option("--now", "clock", callback=_now, hidden=True, help="Pretend it is this UTC time (tests).")
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
@click.option("--new", "new", type=click.IntRange(min=0), default=10, show_default=True,
              help="At most this many new cards, after the due ones.")
@lang_option
@db_option
@workspace_option
@click.option("--answers", type=click.Path(dir_okay=False, exists=True, path_type=Path), help=ANSWERS_HELP)
@now_option
def practice(topic: str | None, kind: str | None, new: int, lang: str, db: Path | None,
             workspace: Path | None, answers: Path | None, clock: Callable[[], datetime]) -> None:
    """A spaced-repetition session (FSRS): due cards first, then up to --new new ones.

    \b
    Concept cards: think or type an answer, see the model answer, rate 1 Again, 2 Hard, 3 Good, 4 Easy.
    Quizzes: answer with letters or a number; right is rated Good, wrong Again.
    Coding drills: the starter is written to the workspace; `attnbank watch ID FILE` re-grades on
    save, and a pass records the review. q quits; every rating is saved as it is given.
    Without a terminal, pass --answers FILE (otherwise the command exits with status 2).
    """
    from .practice.session import Keyboard, Script, Session, next_due, plan, workspace_dir
    from .practice.store import Store

    console = _console()
    if answers is None and not sys.stdin.isatty():
        raise AttnbankError("practice needs a terminal (stdin is not a TTY); "
                            "for a scripted session pass --answers FILE")
    bank = _bank()
    if topic and topic not in {t.id for t in bank.topics}:
        raise AttnbankError(f"unknown topic '{topic}' (topics: {', '.join(t.id for t in bank.topics)})")
    source = Script(answers, console) if answers else Keyboard(console)
    with Store.open(db) as store:
        session = Session(bank, store, source, console, workspace_dir(workspace), clock, lang)
        cards = store.cards()
        session.queue = plan(bank, cards, clock(), topic, kind, new)
        if not session.queue:
            filters = "".join(f" ({k} {v})" for k, v in (("topic", topic), ("kind", kind)) if v)
            console.print(session.t["nothing"].format(filters=filters))
            upcoming = next_due(cards)
            if upcoming:
                console.print(session.t["next_due"].format(when=f"{upcoming:%Y-%m-%d %H:%M}"))
            return
        session.run()


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
    from .practice.session import workspace_dir
    from .practice.store import default_path
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
    settings = Settings(device, dtype or "float32", seed, timeout, contract=dtype is None)
    watcher = Watcher(bank, qid, file, settings, _console(), lang, None if no_record else db or default_path(), clock)
    watch_loop(watcher)


@click.group()
def progress() -> None:
    """Export, import or locate your progress database."""


@progress.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def progress_export(file: Path, db: Path | None) -> None:
    """Write every review and grade to FILE (JSON)."""
    from .practice.exchange import export_progress
    from .practice.store import Store

    with Store.open(db, create=False) as store:
        counts = export_progress(store, file)
    click.echo(f"exported {counts['reviews']} review(s) and {counts['grades']} grade(s) to {file}")


@progress.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@db_option
def progress_import(file: Path, db: Path | None) -> None:
    """Merge an export into the database (reviews already there are not duplicated)."""
    from .practice.exchange import import_progress
    from .practice.store import Store

    with Store.open(db) as store:
        counts = import_progress(store, file)
    click.echo(f"imported {counts['reviews']} new review(s) and {counts['grades']} new grade(s) "
               f"into {store.path}")


@progress.command("path")
@db_option
def progress_path(db: Path | None) -> None:
    """Print where the progress database is (it may not exist yet)."""
    from .practice.store import default_path

    click.echo(db or default_path())


@click.command()
@click.option("--days", type=click.IntRange(min=1, max=366), default=14, show_default=True,
              help="Days in the reviews-per-day chart.")
@lang_option
@db_option
@now_option
def stats(days: int, lang: str, db: Path | None, clock: Callable[[], datetime]) -> None:
    """Reviews per day, retention, cards due, and mastery per topic (weakest first).

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


COMMANDS = (practice, watch, progress, stats)
