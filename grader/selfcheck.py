"""`attnbank check`: every reference and alternative passes, every known mistake fails and is
diagnosed as itself, and every starter fails, for every coding question."""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from .bank import Bank
from .errors import AttnbankError
from .grade import grade_files, missing_modules
from .index import summarise
from .loader import mistake_source
from .outcome import Settings, Verdict
from .requirements import unenforced
from .schema import CodingQuestion


@dataclass
class Item:
    """One file to grade and what must happen to it."""

    label: str
    path: Path
    expect: str  # "pass", "starter-fails", or the mistake id it must be diagnosed as


@dataclass
class Outcome:
    question: str
    mode: str  # the dtype, with "+tf32" when TF32 was allowed
    label: str
    ok: bool | None  # None: skipped, with the reason as message
    message: str


def _items(bank: Bank, q: CodingQuestion, tmp: Path) -> list[Item]:
    sol = bank.solution_dir(q.id)
    items = [Item("reference", sol / "reference.py", "pass")]
    items += [Item(f"alternative {a}", sol / a, "pass") for a in q.coding.alternatives]
    for m in q.coding.mistakes:
        path = tmp / f"{q.id}__mistake__{m.id}.py"
        path.write_text(mistake_source(q, m, sol), encoding="utf-8")
        items.append(Item(f"mistake {m.id}", path, m.id))
    starter = tmp / f"{q.id}__starter.py"
    starter.write_text(q.coding.starter, encoding="utf-8")
    items.append(Item("starter", starter, "starter-fails"))
    return items


def _judge(item: Item, verdict: Verdict) -> tuple[bool, str]:
    failed = verdict.failed_checks()
    first = f"{failed[0].name}: {failed[0].message}" if failed else ""
    if verdict.status == "internal":
        return False, f"the grader crashed ({first})"
    if item.expect == "pass":
        return verdict.passed, "passes" if verdict.passed else f"should pass, got {verdict.status} ({first})"
    if item.expect == "starter-fails":
        if verdict.passed:
            return False, "the starter passes: it gives the answer away"
        return True, "fails"
    if verdict.passed:
        return False, "passes every check: the checks cannot tell this mistake from a correct answer"
    if verdict.diagnosis != item.expect:
        return False, f"fails ({first}) but is diagnosed as {verdict.diagnosis!r}, not as itself"
    return True, f"fails ({failed[0].name}) and is diagnosed as itself"


def modes(q: CodingQuestion, device: str, dtypes: list[str] | None) -> list[tuple[str, bool]]:
    """(dtype, tf32) pairs to check: float32 and float64 on CPU; every allowed dtype, TF32 on and off, on CUDA."""
    if dtypes:
        wanted = [d for d in dtypes if d in q.coding.dtypes]
    elif device == "cuda":
        wanted = list(q.coding.dtypes)
    else:
        wanted = [d for d in ("float32", "float64") if d in q.coding.dtypes] or q.coding.dtypes[:1]
    out = [(d, False) for d in wanted]
    if device == "cuda" and "float32" in wanted:
        out.append(("float32", True))
    return out


def check_question(bank: Bank, q: CodingQuestion, device: str, dtype: str, tf32: bool, seed: int) -> list[Outcome]:
    """Grade every file of one question in one dtype (float32 with the dtype-contract passes, as a plain
    `grade` does); one outcome per file."""
    mode = dtype + ("+tf32" if tf32 else "")
    entry = summarise(bank, q)
    missing = missing_modules(entry)
    if missing:
        return [Outcome(q.id, mode, "all files", None, f"skipped: needs {', '.join(missing)} (pip install it)")]
    with tempfile.TemporaryDirectory(prefix=f"attnbank-check-{q.id}-") as tmp:
        items = _items(bank, q, Path(tmp))
        try:
            verdicts = grade_files(bank.root, entry, [i.path for i in items],
                                   Settings(device, dtype, seed, tf32=tf32, contract=dtype == "float32" and not tf32,
                                            trusted=True))
        except Exception as exc:  # the question itself is broken: report it, do not stop the run
            return [Outcome(q.id, mode, "setup", False, f"could not be graded: {exc}")]
        return [Outcome(q.id, mode, i.label, *_judge(i, v)) for i, v in zip(items, verdicts)]


def run_selfcheck(bank: Bank, qids: list[str], device: str, dtypes: list[str] | None, seed: int, jobs: int,
                  console: Console) -> tuple[int, int]:
    """Run the self-check, printing progress on `console`; return (files as expected, files not; an unenforced
    requirement counts as one not as expected).

    A question given by id that is not a coding question is a usage error: it has nothing to check.
    """
    questions = [bank.get(i) for i in qids] if qids else [q for q in bank.questions if q.kind == "coding"]
    for q in questions:
        if not isinstance(q, CodingQuestion):
            raise AttnbankError(f"'{q.id}' is a {q.kind} question: `check` has nothing to check "
                                "(only coding questions have files to grade)")
    tasks = [(q, d, tf32) for q in questions for d, tf32 in modes(q, device, dtypes)]
    passed = failed = 0
    for q in questions:  # static: every requirement of the prompt names a check that runs on a case it names
        for problem in unenforced(q):
            failed += 1
            console.print(f"[red]✘[/] {escape(f'{q.id} requirements: {problem}')}", markup=True, highlight=False)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(check_question, bank, q, device, d, tf32, seed): q for q, d, tf32 in tasks}
        for n, fut in enumerate(as_completed(futures), 1):  # in the order they finish: a slow one blocks nothing
            outcomes = fut.result()
            for o in outcomes:
                passed += o.ok is True
                failed += o.ok is False
                mark = {True: "[green]✔[/]", False: "[red]✘[/]", None: "[yellow]–[/]"}[o.ok]
                if o.ok is not True or console.is_terminal:
                    console.print(f"{mark} {escape(f'{o.question} [{o.mode}] {o.label}: {o.message}')}", markup=True,
                                  highlight=False)
            bad = sum(o.ok is not True for o in outcomes)
            console.print(escape(f"[{n}/{len(tasks)}] {futures[fut].id} [{outcomes[0].mode}]: "
                          f"{len(outcomes) - bad}/{len(outcomes)} as expected"), highlight=False)
    return passed, failed
