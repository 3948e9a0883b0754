"""The `attnbank` command line: argument parsing only; each verb delegates to its module.

Verbs that need no torch (list, show, start) never import it, so they start fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .cli_practice import COMMANDS as PRACTICE_COMMANDS
from .errors import AttnbankError

LANGS = click.Choice(["en", "zh"])
DEVICES = click.Choice(["cpu", "cuda"])
DTYPE_NAMES = click.Choice(["float32", "float64", "float16", "bfloat16"])
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
@click.option("--kind", type=click.Choice(["coding", "concept", "quiz"]), help="Only this kind.")
@click.option("--difficulty", type=click.Choice(["easy", "medium", "hard"]), help="Only this difficulty.")
@click.option("--lang", type=LANGS, default="en", show_default=True, help="Language of the titles.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (questions and counts per topic and kind).")
def list_cmd(topic: str | None, kind: str | None, difficulty: str | None, lang: str, as_json: bool) -> None:
    """List questions, with filters."""
    from .index import load_index

    index = load_index()
    if topic and topic not in {t["id"] for t in index["topics"]}:
        raise AttnbankError(f"unknown topic '{topic}' (topics: {', '.join(t['id'] for t in index['topics'])})")
    questions = [q for q in index["questions"] if (topic is None or q["topic"] == topic)
                 and (kind is None or q["kind"] == kind) and (difficulty is None or q["difficulty"] == difficulty)]
    if as_json:
        counts: dict[str, dict[str, int]] = {}
        for q in questions:
            counts.setdefault(q["topic"], {"coding": 0, "concept": 0, "quiz": 0})[q["kind"]] += 1
        keys = ("id", "kind", "topic", "difficulty", "tags", "title")
        items = [{k: q[k] for k in keys} for q in questions]
        click.echo(json.dumps({"questions": items, "counts": counts}, ensure_ascii=False, indent=2))
        return
    _print_columns([[q["id"], q["kind"], q["difficulty"], q["topic"], q["title"][lang]] for q in questions],
                   ["id", "kind", "difficulty", "topic", "title"])
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


def column_lines(rows: list[list[str]], header: list[str], width: int | None) -> list[str]:
    """Aligned columns; the last one wraps within `width` cells (None: never wrapped, as when piped)."""
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    indent = sum(widths) + 2 * len(widths)
    room = max(20, width - indent) if width else None
    out = []
    for row in [header, *rows]:
        cells = [cell + " " * (w - _width(cell)) for cell, w in zip(row, widths)]
        first, *rest = _wrap(row[-1], room) if room else [row[-1]]
        out.append("  ".join([*cells, first]))
        out.extend(" " * indent + more for more in rest)
    return out


def _print_columns(rows: list[list[str]], header: list[str]) -> None:
    """Aligned columns on stdout, the titles wrapped on a terminal and whole when piped (a rich table is slow)."""
    import shutil

    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    for n, line in enumerate(column_lines(rows, header, width)):
        click.echo(click.style(line, bold=True) if n == 0 else line)


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
@click.option("--dtype", type=DTYPE_NAMES, default="float32", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of every generated input.")
@click.option("--timeout", type=POSITIVE, help="CPU seconds before the candidate is stopped (default: the question's).")
@click.option("--tf32", is_flag=True, help="Allow TF32 matmuls for float32 on CUDA (tolerances adapt).")
@click.option("--lang", type=LANGS, default="en", show_default=True, help="Language of the diagnosis.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout; progress goes to stderr.")
@click.option("--no-record", is_flag=True, help="Do not log this grade in the progress database.")
def grade(qid: str, file: Path, device: str, dtype: str, seed: int, timeout: float | None, tf32: bool, lang: str,
          as_json: bool, no_record: bool) -> None:
    """Grade FILE against question ID. Exit 0 if every check passes, 1 if not, 2 on usage errors.

    The result is logged in the progress database (created on first use; see `attnbank progress path`).
    """
    from .grade import grade as run_grade
    from .practice.record import record_cli_grade
    from .report import as_json as to_json
    from .report import render
    from .sandbox import Settings

    verdict = run_grade(qid, file, Settings(device, dtype, seed, timeout, tf32))
    if as_json:
        click.echo(to_json(verdict))
    else:
        render(verdict, _console(), lang)
    if not no_record:
        click.echo(record_cli_grade(qid, verdict), err=True)
    sys.exit(0 if verdict["passed"] else 1)


@cli.command("check")
@click.argument("qids", nargs=-1, metavar="[ID]...")
@click.option("--device", type=DEVICES, default="cpu", show_default=True)
@click.option("--dtype", type=DTYPE_NAMES, multiple=True,
              help="Dtypes to check (repeatable). Default: float32 and float64 on CPU; on CUDA every dtype the "
                   "question allows, float32 with TF32 on and off.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("-j", "--jobs", type=int, default=2, show_default=True, help="Questions graded in parallel.")
def check_cmd(qids: tuple[str, ...], device: str, dtype: tuple[str, ...], seed: int, jobs: int) -> None:
    """The bank tests itself: references and alternatives pass, mistakes fail as themselves, starters fail.

    Progress goes to stderr; the closing `N passed, N failed` line to stdout.
    """
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
