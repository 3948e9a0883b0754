"""`attnbank site build | serve`: the static study site (the work is in grader.sitegen)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

DEFAULT_OUT = Path("_site")
OUT_OPTION = click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT,
                          show_default=True, help="Folder to write the site into (replaced on every build).")
PROGRESS_OPTION = click.option("--with-progress", is_flag=True,
                               help="Include the terminal practice status (attnbank practice), if any.")


def _build(out: Path, with_progress: bool) -> Path:
    from rich.console import Console

    from .bank import load_bank
    from .sitegen import build

    console = Console(stderr=True, highlight=False)
    bank = load_bank()
    if console.is_terminal:
        from rich.progress import Progress

        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("building the site", total=2 * len(bank.questions) + 1)
            result = build(bank, out, with_progress, lambda done, total: bar.update(task, completed=done))
    else:
        result = build(bank, out, with_progress)
    if result.progress_note:
        console.print(result.progress_note, soft_wrap=True, markup=False)
    console.print(f"built {result.pages} page(s) in {result.seconds:.2f}s: {out / 'index.html'}", soft_wrap=True,
                  markup=False)
    return out


@click.group()
def site() -> None:
    """The study site: static, offline, bilingual (open _site/index.html, or serve it)."""


@site.command("build")
@OUT_OPTION
@PROGRESS_OPTION
def build_cmd(out: Path, with_progress: bool) -> None:
    """Render the whole bank into a static site (works from file:// and over http)."""
    _build(out, with_progress)


@site.command("serve")
@OUT_OPTION
@PROGRESS_OPTION
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Loopback address to listen on: 127.0.0.1 or ::1 (any other is refused).")
@click.option("--port", type=int, default=8000, show_default=True, help="Port (0: any free one).")
@click.option("--token", envvar="ATTNBANK_TOKEN", show_envvar=True,
              help="The API token (default: a new random one per launch, shown in the URL).")
def serve_cmd(out: Path, with_progress: bool, host: str, port: int, token: str | None) -> None:
    """Build the site, then serve it with the local grading API (Run checks in the editor) until interrupted.

    Every API call needs the launch token (the URL printed carries it) and comes from the site's own origin.
    """
    from .cli import jail_notice
    from .serve import bind, new_token, serve, url

    jail_notice()
    with bind(host, port) as sock:  # before the build, so a taken port or a foreign host fails fast
        root = _build(out, with_progress)
        token = token or new_token()
        click.echo(f"serving {url(sock, token)} (Ctrl-C to stop)")
        sys.stdout.flush()
        serve(root, sock, token)
    click.echo("stopped")
