"""Questions in the terminal with rich: `attnbank show`, and the Markdown that practice and watch print."""

from __future__ import annotations

import re

from rich.console import Console
from rich.markdown import Markdown
from rich.padding import Padding
from rich.panel import Panel
from rich.syntax import Syntax
from rich.text import Text

from .cjk import join_cjk_lines
from .i18n import strings
from .schema import CodingQuestion, QuizQuestion

# code (left alone), then $$display$$ or $inline$ math: no space inside the dollars, escapes allowed
_CODE_OR_MATH = re.compile(r"(?s)(```.*?```|`[^`\n]*`)|\$\$(.+?)\$\$|\$(?!\s)((?:[^$\\]|\\.)+?)(?<!\s)\$")


def _math_as_code(match: re.Match) -> str:
    code, tex = match.group(1), match.group(2) or match.group(3)
    if code or "\n\n" in tex:  # code, or dollars that do not enclose one formula
        return match.group(0)
    text, start, end = match.string, match.start(), match.end()
    if match.group(2) and text[start - 1:start] in ("", "\n") and text[end:end + 1] in ("", "\n"):
        return f"```text\n{tex.strip()}\n```"  # a display formula on lines of its own: a block
    return "`" + " ".join(tex.split()) + "`"


def markdown(text: str) -> Markdown:
    """Markdown for the terminal, with TeX shown verbatim as code (rich would eat `\\,` and `\\!`)."""
    return Markdown(_CODE_OR_MATH.sub(_math_as_code, join_cjk_lines(text)))


def show_question(q, console: Console, lang: str, answer: bool) -> None:
    """Print prompt and choices or starter; with `answer`, the hints, answer, pitfalls and follow-ups."""
    t = strings(lang)
    # titles, like every text of the bank, are never parsed as rich markup (`[b, l]` would vanish)
    meta = f"{q.id} · {q.kind} · {q.difficulty} · {q.topic}"
    console.print(Text.assemble((q.title.get(lang), "bold"), "  ", (meta, "dim")))
    console.print(Panel(markdown(q.prompt.get(lang)), title=t["prompt"], title_align="left"))
    if isinstance(q, QuizQuestion) and q.quiz.type == "choice":
        for i, c in enumerate(q.quiz.choices):
            mark = (" ✔" if c.correct else " ✘") if answer else ""
            console.print(Padding(markdown(f"{chr(65 + i)}\\. {c.text.get(lang)}{mark}"), (0, 0, 0, 2)))
            if answer:
                console.print(Padding(markdown(c.why.get(lang)), (0, 0, 0, 5)), style="dim")
    if isinstance(q, QuizQuestion) and q.quiz.type == "numeric" and answer:
        console.print(Text(f"{t['answer_key']}: {q.quiz.value:g} {q.quiz.unit or ''} (±{q.quiz.rel_tol:.0%})"))
    if isinstance(q, CodingQuestion):
        console.print(Panel(Syntax(q.coding.starter, "python", theme="ansi_dark", word_wrap=True),
                            title=t["starter_panel"],
                            title_align="left"))
        console.print(f"{t['grade_with']}: attnbank start {q.id} && attnbank grade {q.id} "
                      f"{q.id.replace('-', '_')}.py")
        if answer:  # hints are spoilers too: `attnbank watch` reveals them one failure at a time
            for i, h in enumerate(q.coding.hints, 1):
                console.print(markdown(f"*{t['hint']} {i}:* {h.get(lang)}"))
    if not answer:
        console.print(Text(t["show_more"], style="dim"))
        return
    console.print(Panel(markdown(q.answer.get(lang)), title=t["answer"], title_align="left"))
    for title, items in ((t["pitfalls"], q.pitfalls), (t["follow_ups"], q.follow_ups)):
        if items:
            console.print(Text(title, style="bold"))
            for item in items:
                console.print(markdown(f"- {item.get(lang)}"))
    if q.references:
        refs = "; ".join(f"{r.title} ({r.year})" for r in q.references)
        console.print(Text.assemble((t["references"], "bold"), ": " + refs))
