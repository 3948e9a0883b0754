"""`attnbank site build`: the whole bank as a static, offline, bilingual study site.

Pages come from the Jinja templates in site/templates (autoescape on); Markdown, math and code are
rendered here at build time, so the site needs no network and works from file:// as well as http.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from . import figures, heatmaps, paths, site_progress
from .bank import Bank
from .errors import AttnbankError
from .i18n import TEXT as UI
from .markup import MarkupError, highlight_code, plain_text, pygments_css, render_inline, render_markdown
from .schema import CodingQuestion, QuizQuestion, Text
from .site_cache import RenderCache, cache_dir, default_path
from .site_html import badge, bi, ui
from .site_search import search_doc, search_script
from .site_toc import add_toc
from .vocab import KINDS, PARTS
from .workspace import starter_path

SITE_SRC = paths.site_dir()
MARKER = ".attnbank-site"  # marks a folder as a build output that may be replaced
DIFFICULTIES = ("easy", "medium", "hard")
STATUS_FROM_PRACTICE = {"learning": "studied", "mastered": "mastered"}  # terminal status -> site status



class SiteError(AttnbankError):
    """The site cannot be built; the message lists every problem as `file: field: message`."""


@dataclass
class BuildResult:
    """What a build wrote."""

    out: Path
    pages: int
    seconds: float
    progress_note: str | None  # one line about --with-progress, when it was asked for


class _Renderer:
    """Renders a question's texts, collecting every problem instead of stopping at the first."""

    def __init__(self, rel: str, cache: RenderCache):
        self.rel = rel
        self.cache = cache
        self.problems: list[str] = []

    def text(self, text: Text, field: str, inline: bool = False) -> dict[str, Markup]:
        out = {}
        render = render_inline if inline else render_markdown
        for lang in ("en", "zh"):
            where = f"{self.rel}: {field}.{lang}"
            try:
                out[lang] = Markup(self.cache.render("inline" if inline else "block", text.get(lang),
                                                     lambda t, where=where: render(t, where)))
            except MarkupError as exc:
                self.problems.append(str(exc))
                out[lang] = Markup("")
        return out

    def texts(self, items: list[Text], field: str, inline: bool = False) -> list[dict[str, Markup]]:
        return [self.text(t, f"{field}.{i}", inline) for i, t in enumerate(items)]

    def code(self, code: str) -> Markup:
        return Markup(self.cache.render("python", code, highlight_code))


def _question_context(bank: Bank, q: Any, cache: RenderCache) -> tuple[dict[str, Any], list[str]]:
    r = _Renderer(bank.files[q.id].as_posix(), cache)
    ctx: dict[str, Any] = {
        "q": q, "title": r.text(q.title, "title", inline=True), "prompt": r.text(q.prompt, "prompt"),
        "answer": r.text(q.answer, "answer"), "pitfalls": r.texts(q.pitfalls, "pitfalls"),
        "follow_ups": r.texts(q.follow_ups, "follow_ups"),
        "figures": [{"svg": Markup(figures.svg(f, f"fig-{i}-cap")), "legend": figures.legend(f),
                     "caption": r.text(f.caption, f"figures.{i}.caption", inline=True)}
                    for i, f in enumerate(q.figures)],
        "choices": [], "hints": [], "mistakes": [], "heatmap": None,
    }
    if isinstance(q, QuizQuestion) and q.quiz.type == "choice":
        ctx["choices"] = [{"text": r.text(c.text, f"quiz.choices.{i}.text", inline=True),
                           "why": r.text(c.why, f"quiz.choices.{i}.why", inline=True), "correct": c.correct}
                          for i, c in enumerate(q.quiz.choices)]
    if isinstance(q, CodingQuestion):
        c = q.coding
        file = starter_path(Path("."), q.id).as_posix()
        reference = bank.solution_dir(q.id) / "reference.py"
        ctx.update(
            hints=r.texts(c.hints, "coding.hints", inline=True),
            starter=r.code(c.starter),
            start_cmd=f"attnbank start {q.id}", grade_cmd=f"attnbank grade {q.id} {file}",
            mistakes=[{"title": r.text(m.title, f"coding.mistakes.{i}.title", inline=True),
                       "explanation": r.text(m.explanation, f"coding.mistakes.{i}.explanation", inline=True)}
                      for i, m in enumerate(c.mistakes)],
            reference=r.code(reference.read_text(encoding="utf-8")),
        )
        try:
            ctx["heatmap"] = heatmaps.context(q.id, reference)
        except Exception as exc:  # noqa: BLE001 - a reference that fails on its example is a build problem
            r.problems.append(f"{r.rel}: heatmap: {type(exc).__name__}: {exc}")
        if ctx["heatmap"]:  # the caption is Markdown, as every text of a question
            h = ctx["heatmap"]
            h.update(svg=Markup(h["svg"]), caption=r.text(h["caption"], "heatmap.caption", inline=True))
    return ctx, r.problems


def _topic_cards(bank: Bank) -> tuple[list[dict[str, Any]], list[Any]]:
    """Topics with questions (with counts by kind and difficulty), and topics still empty."""
    cards, empty = [], []
    for t in bank.topics:
        qs = [q for q in bank.questions if q.topic == t.id]
        if not qs:
            empty.append(t)
            continue
        kinds, diffs = Counter(q.kind for q in qs), Counter(q.difficulty for q in qs)
        cards.append({"topic": t, "count": len(qs), "kinds": [(k, kinds[k]) for k in KINDS if kinds[k]],
                      "difficulties": [(d, diffs[d]) for d in DIFFICULTIES if diffs[d]]})
    return cards, empty


def _parts(cards: list[dict[str, Any]], empty: list[Any]) -> list[dict[str, Any]]:
    """The home page's parts in order (mechanism, then applications), each with its cards and empty topics."""
    parts = []
    for key in PARTS:
        part = {"key": key, "cards": [c for c in cards if c["topic"].part == key],
                "empty": [t for t in empty if t.part == key]}
        if part["cards"] or part["empty"]:
            parts.append(part)
    return parts


def practice_status(with_progress: bool) -> tuple[dict[str, str], str | None]:
    """The terminal practice status per question id (site terms), and a one-line note about it."""
    if not with_progress:
        return {}, None
    try:
        from .practice.store import question_status

        status = question_status()
    except ImportError:
        return {}, "--with-progress: practice mode is not installed (grader.practice.store); built without it"
    mapped = {qid: STATUS_FROM_PRACTICE[s] for qid, s in status.items() if s in STATUS_FROM_PRACTICE}
    if not mapped:
        return {}, "--with-progress: no practice progress found (no database yet, or nothing studied); built without it"
    return mapped, f"--with-progress: included the practice status of {len(mapped)} question(s)"


def _prepare_out(out: Path) -> None:
    if out.exists():
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise SiteError(f"{out} is not empty and was not built by attnbank; choose another --out")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("built by `attnbank site build`; replaced on every build\n", encoding="utf-8")


def _env() -> Environment:
    """The templates' environment; their compiled code is kept in the user's cache folder between builds."""
    bytecode = FileSystemBytecodeCache(str(cache_dir() / "templates")) if _writable(cache_dir()) else None
    env = Environment(loader=FileSystemLoader(SITE_SRC / "templates"), autoescape=True, bytecode_cache=bytecode,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(UI=UI, KINDS=KINDS, DIFFICULTIES=DIFFICULTIES, ui=ui, bi=bi, badge=badge)
    return env


def _writable(folder: Path) -> bool:
    try:
        (folder / "templates").mkdir(parents=True, exist_ok=True)
        return True
    except OSError:
        return False


def _js_data(name: str, value: Any) -> str:
    return f"window.{name} = {json.dumps(value, ensure_ascii=False, separators=(',', ':'))};\n"


def build(bank: Bank, out: Path, with_progress: bool = False,
          on_page: Callable[[int, int], None] | None = None, cache: RenderCache | None = None) -> BuildResult:
    """Render the bank into `out` (replacing an earlier build there); SiteError lists every problem.

    `on_page(done, total)` reports progress: each question's texts rendered, then each page written.
    `cache` keeps rendered fragments between builds (default: the user's cache folder).
    """
    start = time.perf_counter()
    cache = cache or RenderCache(default_path())
    contexts, problems = [], []
    total = 2 * len(bank.questions) + 1  # render the texts, then write the pages and the home page
    for i, q in enumerate(bank.questions):
        ctx, found = _question_context(bank, q, cache)
        contexts.append(ctx)
        problems += found
        if on_page:
            on_page(i + 1, total)
    if problems:
        cache.save()
        raise SiteError(f"{len(problems)} problem(s) in the site's texts:\n" + "\n".join(problems))
    css = cache.render("css", "", lambda _: pygments_css())
    docs = [search_doc(q, lambda text: cache.render("plain", text, plain_text)) for q in bank.questions]
    search = cache.render("search", json.dumps(docs, ensure_ascii=False), lambda _: search_script(docs))
    cache.save()
    status, note = practice_status(with_progress)
    _prepare_out(out)
    shutil.copytree(SITE_SRC / "static", out / "static")
    (out / "static" / "pygments.css").write_text(css, encoding="utf-8")
    (out / "static" / "search-index.js").write_text(search, encoding="utf-8")
    (out / "static" / "practice-status.js").write_text(_js_data("ATTNBANK_PRACTICE", status),
                                                       encoding="utf-8")

    env = _env()
    topics = {t.id: t for t in bank.topics}
    cards, empty = _topic_cards(bank)
    page = env.get_template("question.html")
    (out / "q").mkdir()
    for i, ctx in enumerate(contexts):
        q = ctx["q"]
        html = page.render(base="../", ctx=ctx, topic=topics[q.topic],
                           prev=contexts[i - 1]["q"] if i else None,
                           next=contexts[i + 1]["q"] if i + 1 < len(contexts) else None)
        (out / "q" / f"{q.id}.html").write_text(add_toc(html), encoding="utf-8")
        if on_page:
            on_page(len(contexts) + i + 1, total)
    tags = sorted({tag for q in bank.questions for tag in q.tags})
    home = env.get_template("index.html").render(
        base="", questions=[(c["q"], c["title"]) for c in contexts], cards=cards, parts=_parts(cards, empty),
        topics=bank.topics, tags=tags)
    (out / "index.html").write_text(add_toc(home), encoding="utf-8")
    site_progress.write(env, bank, contexts, out)
    if on_page:
        on_page(total, total)
    return BuildResult(out, len(contexts) + 2, time.perf_counter() - start, note)  # + home and progress
