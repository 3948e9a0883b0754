"""Questions in the terminal with rich: `attnbank show`, and the Markdown that practice and watch print."""

from __future__ import annotations

import re

from rich.console import Console
from rich.markdown import Markdown
from rich.padding import Padding
from rich.panel import Panel
from rich.syntax import Syntax

from .schema import CodingQuestion, QuizQuestion

LABELS = {
    "en": {"prompt": "Question", "hints": "Hint", "answer": "Model answer", "pitfalls": "Pitfalls",
           "follow": "Follow-ups", "refs": "References", "starter": "Starter", "choices": "Choices",
           "key": "Answer", "more": "run with --answer to see the model answer", "grade": "Grade it with"},
    "zh": {"prompt": "题目", "hints": "提示", "answer": "参考答案", "pitfalls": "常见错误",
           "follow": "追问", "refs": "参考文献", "starter": "起始代码", "choices": "选项",
           "key": "答案", "more": "加 --answer 查看参考答案", "grade": "评测命令"},
}


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
    return Markdown(_CODE_OR_MATH.sub(_math_as_code, text))


def show_question(q, console: Console, lang: str, answer: bool) -> None:
    """Print prompt and choices or starter; with `answer`, the hints, answer, pitfalls and follow-ups."""
    t = LABELS[lang]
    console.print(f"[bold]{q.title.get(lang)}[/]  [dim]{q.id} · {q.kind} · {q.difficulty} · {q.topic}[/]")
    console.print(Panel(markdown(q.prompt.get(lang)), title=t["prompt"], title_align="left"))
    if isinstance(q, QuizQuestion) and q.quiz.type == "choice":
        for i, c in enumerate(q.quiz.choices):
            mark = (" ✔" if c.correct else " ✘") if answer else ""
            console.print(Padding(markdown(f"{chr(65 + i)}\\. {c.text.get(lang)}{mark}"), (0, 0, 0, 2)))
            if answer:
                console.print(Padding(markdown(c.why.get(lang)), (0, 0, 0, 5)), style="dim")
    if isinstance(q, QuizQuestion) and q.quiz.type == "numeric" and answer:
        console.print(f"{t['key']}: {q.quiz.value:g} {q.quiz.unit or ''} (±{q.quiz.rel_tol:.0%})")
    if isinstance(q, CodingQuestion):
        console.print(Panel(Syntax(q.coding.starter, "python", theme="ansi_dark", word_wrap=True), title=t["starter"],
                            title_align="left"))
        console.print(f"{t['grade']}: attnbank start {q.id} && attnbank grade {q.id} "
                      f"{q.id.replace('-', '_')}.py")
        if answer:  # hints are spoilers too: `attnbank watch` reveals them one failure at a time
            for i, h in enumerate(q.coding.hints, 1):
                console.print(markdown(f"*{t['hints']} {i}:* {h.get(lang)}"))
    if not answer:
        console.print(f"[dim]{t['more']}[/]")
        return
    console.print(Panel(markdown(q.answer.get(lang)), title=t["answer"], title_align="left"))
    for title, items in ((t["pitfalls"], q.pitfalls), (t["follow"], q.follow_ups)):
        if items:
            console.print(f"[bold]{title}[/]")
            for item in items:
                console.print(markdown(f"- {item.get(lang)}"))
    if q.references:
        console.print(f"[bold]{t['refs']}[/]: " + "; ".join(f"{r.title} ({r.year})" for r in q.references))
