"""The `attnbank` command line: argument parsing only; each verb delegates to its module.

Verbs that need no torch (list, show, start) never import it, so they start fast.
"""

from __future__ import annotations

import importlib
import json
import sys
import threading
from pathlib import Path

import click

from .cli_practice import COMMANDS as PRACTICE_COMMANDS
from .errors import AttnbankError
from .i18n import strings
from .vocab import DTYPES, KINDS, PARTS

LANGS = click.Choice(["en", "zh"])
DEVICES = click.Choice(["cpu", "cuda"])
DTYPE_NAMES = click.Choice(list(DTYPES))
KIND_NAMES = click.Choice(list(KINDS))
POSITIVE = click.FloatRange(min=0, min_open=True)


class Group(click.Group):
    """Turns expected errors into one clear line and exit code 2 (1 is kept for failed grades)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except AttnbankError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


def _bank():
    from .bank import load_bank

    return load_bank()


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="attnbank")
def cli() -> None:
    """attnbank: interview questions on attention mechanisms, with a grader that runs your answers.

    \b
    Study:    attnbank list | attnbank show ID | attnbank site build
    Code:     attnbank start ID, edit the file, attnbank grade ID FILE
    Practice: attnbank practice
    """


@cli.command("list")
@click.option("--topic", help="Only this topic (see questions/topics.yaml).")
@click.option("--kind", type=KIND_NAMES, help="Only this kind.")
@click.option("--difficulty", type=click.Choice(["easy", "medium", "hard"]), help="Only this difficulty.")
@click.option("--lang", type=LANGS, default="en", show_default=True, help="Language of the titles.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (questions and counts per topic and kind).")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              help="Progress database for the status column (default: $ATTNBANK_DB, else the user data dir's).")
def list_cmd(topic: str | None, kind: str | None, difficulty: str | None, lang: str, as_json: bool,
             db: Path | None) -> None:
    """List questions, with filters, and your status of each: new, learning, mastered or passed."""
    from .index import load_index

    index = load_index()
    if topic and topic not in {t["id"] for t in index["topics"]}:
        raise AttnbankError(f"unknown topic '{topic}' (topics: {', '.join(t['id'] for t in index['topics'])})")
    questions = [q for q in index["questions"] if (topic is None or q["topic"] == topic)
                 and (kind is None or q["kind"] == kind) and (difficulty is None or q["difficulty"] == difficulty)]
    part_of = {t["id"]: t.get("part", "mechanism") for t in index["topics"]}
    try:
        from .practice.store import question_status

        status = question_status(db, [q["id"] for q in questions], passed="passed")
    except AttnbankError as exc:  # an unusable database must not stop the listing
        click.echo(f"warning: no status column: {exc}", err=True)
        status = {}
    if as_json:
        counts: dict[str, dict[str, int]] = {}
        for q in questions:
            counts.setdefault(q["topic"], dict.fromkeys(KINDS, 0))[q["kind"]] += 1
        keys = ("id", "kind", "topic", "difficulty", "tags", "title")
        items = [{**{k: q[k] for k in keys}, "part": part_of[q["topic"]], "status": status.get(q["id"], "new")}
                 for q in questions]
        click.echo(json.dumps({"questions": items, "counts": counts}, ensure_ascii=False, indent=2))
        return
    text = strings(lang)
    label = {"new": text["stats_new"], "learning": text["learning"], "mastered": text["stats_mastered"],
             "passed": text["status_passed"]}
    rows = [[q["id"], q["kind"], q["difficulty"], q["topic"], label[status.get(q["id"], "new")], q["title"][lang]]
            for q in questions]
    sections = [(text[f"part_{part}"], [r for r, q in zip(rows, questions) if part_of[q["topic"]] == part])
                for part in PARTS]
    _print_columns([s for s in sections if s[1]], ["id", "kind", "difficulty", "topic", "status", "title"])
    click.echo(f"{len(questions)} question(s)")



def _width(text: str) -> int:
    """Terminal cells taken by `text` (CJK characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wrap(text: str, room: int) -> list[str]:
    """`text` in lines of at most `room` cells, broken at the last space that fits (anywhere in CJK runs)."""
    lines, line = [], ""
    for char in text:
        if _width(line + char) > room:
            cut = line.rfind(" ")
            head, line = (line[:cut], line[cut + 1:]) if cut > 0 else (line, "")
            lines.append(head)
        line += char
    return [*lines, line]


def _row_lines(row: list[str], widths: list[int], room: int | None) -> list[str]:
    cells = [cell + " " * (w - _width(cell)) for cell, w in zip(row, widths)]
    first, *rest = _wrap(row[-1], room) if room else [row[-1]]
    indent = sum(widths) + 2 * len(widths)
    return ["  ".join([*cells, first]), *(" " * indent + more for more in rest)]


def _widths_and_room(rows: list[list[str]], header: list[str], width: int | None) -> tuple[list[int], int | None]:
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    return widths, (max(20, width - sum(widths) - 2 * len(widths)) if width else None)


def column_lines(rows: list[list[str]], header: list[str], width: int | None) -> list[str]:
    """Aligned columns; the last one wraps within `width` cells (None: never wrapped, as when piped)."""
    widths, room = _widths_and_room(rows, header, width)
    return [line for row in [header, *rows] for line in _row_lines(row, widths, room)]


def _print_columns(sections: list[tuple[str, list[list[str]]]], header: list[str]) -> None:
    """Aligned columns under one header, each section under its title; the titles wrap on a terminal and stay
    whole when piped (a rich table takes ~0.4 s for 100 rows)."""
    import shutil

    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    widths, room = _widths_and_room([r for _, rows in sections for r in rows], header, width)
    click.echo(click.style(_row_lines(header, widths, room)[0], bold=True))
    for title, rows in sections:
        click.echo(click.style(f"— {title}", bold=True))
        for row in rows:
            for line in _row_lines(row, widths, room):
                click.echo(line)


@cli.command()
@click.argument("qid", metavar="ID")
@click.option("--lang", type=LANGS, default="en", show_default=True)
@click.option("--answer", is_flag=True, help="Also show the model answer (and, for quizzes, the key).")
def show(qid: str, lang: str, answer: bool) -> None:
    """Show a question: prompt, choices or starter; with --answer, the hints, model answer and pitfalls."""
    from .render_terminal import show_question

    show_question(_bank().get(qid), _console(), lang, answer)


@cli.command()
@click.argument("qid", metavar="ID")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder to write the starter file into.")
@click.option("--force", is_flag=True, help="Overwrite an existing file with the starter.")
def start(qid: str, directory: Path, force: bool) -> None:
    """Write a coding question's starter file; an existing file is kept (your work), unless --force."""
    from .workspace import starter_path, write_starter

    bank = _bank()
    path = starter_path(directory, qid)
    if path.exists() and not force and bank.get(qid).kind == "coding":
        click.echo(f"kept {path}: it already exists (--force replaces it with the starter)")
    else:
        path = write_starter(bank, qid, directory, force)
        click.echo(f"wrote {path}")
    click.echo(f"next: edit it, then run  attnbank grade {qid} {path}")


@cli.command()
@click.argument("qid", metavar="ID")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--device", type=DEVICES, default="cpu", show_default=True)
@click.option("--dtype", type=DTYPE_NAMES,
              help="Grade in this dtype only. Default: float32, then (after a pass) a few cases in float64 and, "
                   "where the question allows it, bfloat16, checking output dtypes and values.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of every generated input.")
@click.option("--timeout", type=POSITIVE, help="CPU seconds before the candidate is stopped (default: the question's).")
@click.option("--tf32", is_flag=True, help="Allow TF32 matmuls for float32 on CUDA (tolerances adapt).")
@click.option("--lang", type=LANGS, default="en", show_default=True, help="Language of the diagnosis.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout; progress goes to stderr.")
@click.option("--no-record", is_flag=True, help="Do not log this grade in the progress database.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              help="Progress database to record into (default: $ATTNBANK_DB, else the user data dir's).")
def grade(qid: str, file: Path, device: str, dtype: str | None, seed: int, timeout: float | None, tf32: bool, lang: str,
          as_json: bool, no_record: bool, db: Path | None) -> None:
    """Grade FILE against question ID. Exit 0 if every check passes, 1 if not, 2 on usage errors.

    The result is logged in the progress database (created on first use; see `attnbank progress path`).
    """
    from .grade import grade as run_grade
    from .outcome import Settings

    jail_notice(lang)
    # what prints the verdict is imported while the worker prepares, not before it starts
    preload = threading.Thread(target=_import, args=("grader.report", "grader.practice.record"), daemon=True)
    preload.start()
    verdict = run_grade(qid, file, Settings(device, dtype or "float32", seed, timeout, tf32, contract=dtype is None))
    preload.join()
    from .practice.record import record_cli_grade
    from .report import as_json as to_json
    from .report import render

    if as_json:
        click.echo(to_json(verdict))
    else:
        render(verdict, _console(), lang)
    if not no_record:
        click.echo(record_cli_grade(qid, verdict, db), err=True)
    sys.exit(0 if verdict.passed else 1)


@cli.command("grade-batch")
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=Path("grades"), show_default=True,
              help="Folder for gradebook.csv, results.jsonl, summary.html and the resumable results.sqlite.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Grading processes at a time; with --ray, the Ray actors (one grading process each, and the CPUs "
                   "of a local runtime).")
@click.option("--ray", "ray", is_flag=False, flag_value="local", default=None, metavar="[ADDRESS]",
              help="Grade on Ray: alone, a local runtime; with ADDRESS, that cluster (needs attnbank[cluster]).")
@click.option("--device", type=DEVICES, default="cpu", show_default=True)
@click.option("--dtype", type=DTYPE_NAMES,
              help="Grade in this dtype only (default: float32 plus the float64/bfloat16/float16 contract passes).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of every generated input: one the students never saw makes the grade fairer.")
@click.option("--timeout", type=POSITIVE, help="CPU seconds per file (default: each question's).")
@click.option("--unsandboxed", is_flag=True,
              help="Grade even where the sandbox (bubblewrap) cannot run: for files you trust only.")
def grade_batch(folder: Path, out: Path, jobs: int, ray: str | None, device: str, dtype: str | None, seed: int,
                timeout: float | None, unsandboxed: bool) -> None:
    """Grade a cohort: DIR/<student>/<question-id>.py, each file once, resumably.

    Submitted code runs in the sandbox (bubblewrap; see README), and the batch refuses to start where it
    cannot run, unless --unsandboxed. Writes OUT/gradebook.csv (one row per file), OUT/results.jsonl (every
    verdict) and OUT/summary.html (pass rates, the commonest mistakes per question, a table per student).
    Results are kept in OUT/results.sqlite: a re-run grades only new or changed files. Exit 0 once the
    gradebook is written.
    """
    from dataclasses import asdict

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .batch import run_batch
    from .batch_report import write_all
    from .jail import available
    from .outcome import Settings
    from .sandbox import NO_SANDBOX

    if not unsandboxed and not available():
        raise click.ClickException(NO_SANDBOX)
    jail_notice()
    settings = Settings(device, dtype or "float32", seed, timeout, contract=dtype is None, sandboxed=not unsandboxed)
    columns = (TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=_console(stderr=True), transient=True) as bar:
        task = bar.add_task("grading", total=None)
        rows = run_batch(folder, out, settings, jobs, False if ray is None else (None if ray == "local" else ray),
                         lambda done, total: bar.update(task, completed=done, total=total))
    write_all(rows, out, asdict(settings))
    graded = [r for r in rows if r.verdict is not None]
    passed = sum(r.passed for r in graded)
    click.echo(f"{len(rows)} files: {passed} passed, {len(graded) - passed} failed, {len(rows) - len(graded)} not "
               f"graded; wrote {out}/gradebook.csv, results.jsonl and summary.html")


def jail_notice(lang: str | None = None) -> None:
    """Say on stderr, in one line, when submitted code will run without the sandbox (grader.jail)."""
    from .jail import notice

    line = notice(lang)
    if line:
        click.echo(line, err=True)


def _import(*modules: str) -> None:
    for name in modules:
        importlib.import_module(name)


@cli.command("check")
@click.argument("qids", nargs=-1, metavar="[ID]...")
@click.option("--device", type=DEVICES, default="cpu", show_default=True)
@click.option("--dtype", type=DTYPE_NAMES, multiple=True,
              help="Dtypes to check (repeatable). Default: float32 and float64 on CPU; on CUDA every dtype the "
                   "question allows, float32 with TF32 on and off.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("-j", "--jobs", type=int, default=2, show_default=True, help="Questions graded in parallel.")
@click.option("--mutants", is_flag=True,
              help="Mutation-test the checks instead: grade every mutant of each reference and report the "
                   "mutants that pass although they differ from the reference (holes).")
def check_cmd(qids: tuple[str, ...], device: str, dtype: tuple[str, ...], seed: int, jobs: int,
              mutants: bool) -> None:
    """The bank tests itself: references and alternatives pass, mistakes fail as themselves, starters fail.

    Progress goes to stderr; the closing `N passed, N failed` line (or the mutants' report) to stdout.
    """
    if mutants:
        from .mutant_check import run_mutants

        sys.exit(0 if run_mutants(_bank(), list(qids), seed, jobs, _console(), _console(stderr=True)) else 1)
    from .selfcheck import run_selfcheck

    passed, failed = run_selfcheck(_bank(), list(qids), device, list(dtype) or None, seed, jobs,
                                   _console(stderr=True))
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 and passed > 0 else 1)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of a question file (kept in questions/schema.json)."""
    from .schema import json_schema

    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


from .cli_site import site  # noqa: E402 (registered after the core verbs)

cli.add_command(site)
for _command in PRACTICE_COMMANDS:
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="attnbank")


if __name__ == "__main__":
    main()
