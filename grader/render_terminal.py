"""`attnbank show`: a question rendered in the terminal with rich."""

from __future__ import annotations

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.syntax import Syntax

from .schema import CodingQuestion, QuizQuestion

LABELS = {
    "en": {"prompt": "Question", "hints": "Hints", "answer": "Model answer", "pitfalls": "Pitfalls",
           "follow": "Follow-ups", "refs": "References", "starter": "Starter", "choices": "Choices",
           "key": "Answer", "more": "run with --answer to see the model answer", "grade": "Grade it with"},
    "zh": {"prompt": "题目", "hints": "提示", "answer": "参考答案", "pitfalls": "常见错误",
           "follow": "追问", "refs": "参考文献", "starter": "起始代码", "choices": "选项",
           "key": "答案", "more": "加 --answer 查看参考答案", "grade": "评测命令"},
}


def show_question(q, console: Console, lang: str, answer: bool) -> None:
    """Print prompt, choices or starter and hints; with `answer`, the answer, pitfalls and follow-ups."""
    t = LABELS[lang]
    console.print(f"[bold]{q.title.get(lang)}[/]  [dim]{q.id} · {q.kind} · {q.difficulty} · {q.topic}[/]")
    console.print(Panel(Markdown(q.prompt.get(lang)), title=t["prompt"], title_align="left"))
    if isinstance(q, QuizQuestion) and q.quiz.type == "choice":
        for i, c in enumerate(q.quiz.choices):
            mark = (" ✔" if c.correct else " ✘") if answer else ""
            console.print(f"  {chr(65 + i)}. {c.text.get(lang)}{mark}")
            if answer:
                console.print(f"     [dim]{c.why.get(lang)}[/]")
    if isinstance(q, QuizQuestion) and q.quiz.type == "numeric" and answer:
        console.print(f"{t['key']}: {q.quiz.value:g} {q.quiz.unit or ''} (±{q.quiz.rel_tol:.0%})")
    if isinstance(q, CodingQuestion):
        console.print(Panel(Syntax(q.coding.starter, "python", theme="ansi_dark"), title=t["starter"],
                            title_align="left"))
        console.print(f"{t['grade']}: attnbank start {q.id} && attnbank grade {q.id} "
                      f"{q.id.replace('-', '_')}.py")
        for i, h in enumerate(q.coding.hints, 1):
            console.print(f"[dim]{t['hints']} {i}:[/] {h.get(lang)}" if answer else "", end="\n" if answer else "")
    if not answer:
        console.print(f"[dim]{t['more']}[/]")
        return
    console.print(Panel(Markdown(q.answer.get(lang)), title=t["answer"], title_align="left"))
    for title, items in ((t["pitfalls"], q.pitfalls), (t["follow"], q.follow_ups)):
        if items:
            console.print(f"[bold]{title}[/]")
            for item in items:
                console.print(Markdown(f"- {item.get(lang)}"))
    if q.references:
        console.print(f"[bold]{t['refs']}[/]: " + "; ".join(f"{r.title} ({r.year})" for r in q.references))
