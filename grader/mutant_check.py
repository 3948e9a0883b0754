"""`attnbank check --mutants`: grade every mutant of each reference and find the holes in its checks.

A mutant that fails grading is killed. One that passes is run against the reference in float64 on a
battery of inputs drawn from the question's own generators (new seeds, every dim scaled by 1, 2 or 3):
if the two agree everywhere it is equivalent (no test could tell them apart); if they differ on some
valid input the mutant is a hole: wrong code the grader accepts.
"""

from __future__ import annotations

import signal
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from .bank import Bank
from .grade import grade_files
from .index import summarise
from .mutants import Mutant, mutants, normalised
from .outcome import Settings
from .schema import CodingQuestion

BATTERY = 8             # draws per case in the equivalence battery
EQUIV_SECONDS = 120     # a survivor whose battery runs longer than this is reported, not judged


@dataclass
class Hole:
    mutant: Mutant
    why: str  # where it differs from the reference


@dataclass
class MutantReport:
    question: str
    total: int = 0
    killed: int = 0
    equivalent: list[Mutant] = field(default_factory=list)
    declared: list[tuple[Mutant, str]] = field(default_factory=list)  # equivalent by the question's word, why
    holes: list[Hole] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # declared equivalent lines no survivor writes
    broken: str | None = None  # why the reference itself does not pass: no score can be given

    @property
    def judged(self) -> int:
        """The mutants that are not equivalent (found or declared): the score's denominator."""
        return self.total - len(self.equivalent) - len(self.declared)

    @property
    def score(self) -> float:
        """Killed over non-equivalent mutants (1.0 when there are none)."""
        return self.killed / self.judged if self.judged else 1.0

    @property
    def clean(self) -> bool:
        return not (self.holes or self.stale or self.broken)


def _same(a: Any, b: Any, atol: float = 1e-9) -> bool:
    """Equal up to float64 rounding, or up to `atol`: the absolute tolerance the question's `values` check
    allows in float64 (a prompt that lets angles be float32 accepts the difference that makes)."""
    import torch

    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)) or a.shape != b.shape:
            return False
        if not a.is_floating_point() or not b.is_floating_point():
            return a.dtype == b.dtype and torch.equal(a.detach().cpu(), b.detach().cpu())
        x, y = a.detach().cpu().double(), b.detach().cpu().double()
        if not (torch.equal(torch.isnan(x), torch.isnan(y)) and torch.equal(torch.isinf(x), torch.isinf(y))):
            return False
        fin = torch.isfinite(x)
        return bool(torch.allclose(x[fin], y[fin], rtol=1e-7, atol=atol)) and torch.equal(x[~fin & ~torch.isnan(x)],
                                                                                            y[~fin & ~torch.isnan(y)])
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a))
    return type(a) is type(b) and a == b


def _outcome(impl: Any, prep: Any, seed: int) -> list[Any] | str:
    """The leaves of one run in float64, or the name of what it raised."""
    import torch

    torch.manual_seed(seed)
    try:
        return impl.run(prep.script, prep.golden_inputs, torch.float64, "cpu")
    except Exception as exc:  # a raise is an outcome too: both must raise alike
        return f"raises {type(exc).__name__}"


def _battery(q: CodingQuestion, ref_obj: Any, seed: int) -> Iterator[tuple[Any, str]]:
    """(prepared case in float64, label) for every draw: new seeds, dims scaled by 1, 2 or 3, and the
    large-logit scaling of the question's `stable_large_logits` inputs where it has that check."""
    import torch

    from .plan import materialise, round_trip

    spec = q.coding
    large = spec.check_params.get("stable_large_logits")
    for draw in range(BATTERY):
        factor = (1, 2, 1, 3)[draw % 4]
        for i, case in enumerate(spec.cases):
            dims = {k: v * factor for k, v in {**spec.dims, **case.dims}.items()}
            varied = case.model_copy(update={"dims": dims})
            qv = q.model_copy(update={"coding": spec.model_copy(update={"dims": dims})})
            draw_seed = 7_000_003 * (seed + 1) + 1009 * draw
            try:
                prep = materialise(qv, varied, i, draw_seed, ref_obj, torch.float64, "cpu")
            except Exception:  # the generators cannot build these dims: not a valid input
                continue
            label = f"case {case.id} (dims x{factor}, seed {draw_seed})"
            yield prep, label
            if large is not None and draw % 2 and not prep.is_script and not case.raises:
                scale = large.get("scale", {"q": 1.0})
                master = {k: (v * 50.0 * scale[k] if k in scale else v) for k, v in prep.master.items()}
                prep.master = master
                prep.inputs, prep.golden_inputs = round_trip(master, torch.float64, "cpu")
                yield prep, label + ", large logits"


def _differs(q: CodingQuestion, ref_obj: Any, mut_obj: Any, seed: int) -> str | None:
    """Where the mutant and the reference disagree on the battery, or None when they never do."""
    from .invoke import Impl

    atol = max(1e-9, float(q.coding.check_params.get("values", {}).get("atol", {}).get("float64", 0.0)))
    for prep, label in _battery(q, ref_obj, seed):
        want = _outcome(Impl(ref_obj), prep, prep.seed)
        if isinstance(want, str) and not prep.case.raises:
            continue  # the reference rejects these inputs: outside the prompt's domain
        got = _outcome(Impl(mut_obj), prep, prep.seed)
        if isinstance(want, str) or isinstance(got, str):
            if want != got:
                return f"{label}: reference {want!r}, mutant {got!r}"
            continue
        if len(want) != len(got) or not all(_same(a, b, atol) for a, b in zip(want, got)):
            return f"{label}: outputs differ"
    return None


def _load(source: str, name: str, entry: str) -> Any:
    from .loader import load_source

    return getattr(load_source(source, name), entry)


class _Deadline(Exception):
    pass


def _judge_survivor(q: CodingQuestion, ref_source: str, m: Mutant, seed: int) -> str | None:
    """None if the survivor is equivalent, else where it differs (a hole)."""

    def alarm(_sig: int, _frame: Any) -> None:
        raise _Deadline

    import torch

    torch.set_num_threads(1)  # small tensors, and graders may run beside it
    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(EQUIV_SECONDS)
    try:
        ref = _load(ref_source, f"<reference of {q.id}>", q.coding.entry_point)
        mut = _load(m.source, f"<mutant {m.index} of {q.id}>", q.coding.entry_point)
        return _differs(q, ref, mut, seed)
    except _Deadline:
        return f"the equivalence battery did not finish within {EQUIV_SECONDS} s: judge it by hand"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def grade_mutants(bank: Bank, q: CodingQuestion, seed: int) -> tuple[MutantReport, list[Mutant]]:
    """Grade every mutant of `q`'s reference (float32, then float64 for survivors): the report so far and
    the survivors. Thread-safe: grading runs in sandboxed child processes."""
    sol = bank.solution_dir(q.id)
    found = mutants((sol / "reference.py").read_text(encoding="utf-8"))
    report = MutantReport(q.id, total=len(found))
    entry = summarise(bank, q)
    survivors = found
    with tempfile.TemporaryDirectory(prefix=f"attnbank-mutants-{q.id}-") as tmp:
        for dtype in [d for d in ("float32", "float64") if d in q.coding.dtypes]:
            if not survivors:
                break
            settings = Settings("cpu", dtype, seed, contract=dtype == "float32", trusted=True)  # a plain grade's passes
            paths = []
            for m in survivors:
                path = Path(tmp) / f"mutant_{m.index}.py"
                path.write_text(m.source, encoding="utf-8")
                paths.append(path)
            ref, *verdicts = grade_files(bank.root, entry, [sol / "reference.py", *paths], settings)
            if not ref.passed:  # every mutant would be "killed": a score would be a lie
                report.broken = f"the reference does not pass in {dtype} on cpu (status {ref.status})"
                return report, []
            survivors = [m for m, v in zip(survivors, verdicts) if v.passed]
    report.killed = report.total - len(survivors)
    return report, survivors


def judge_survivors(bank: Bank, q: CodingQuestion, report: MutantReport, survivors: list[Mutant], seed: int) -> None:
    """Sort survivors into equivalent mutants and holes (main thread only: it uses SIGALRM)."""
    ref_source = (bank.solution_dir(q.id) / "reference.py").read_text(encoding="utf-8")
    declared = {d.line: d.why for d in q.coding.equivalent_mutants}
    used: set[str] = set()
    for m in survivors:
        added = _added_lines(m, ref_source)
        if line := next((a for a in added if a in declared), None):
            report.declared.append((m, declared[line]))
            used.add(line)
            continue
        why = _judge_survivor(q, ref_source, m, seed)
        if why is None:
            report.equivalent.append(m)
        else:
            report.holes.append(Hole(m, why))
    report.stale = [line for line in declared if line not in used]


def _added_lines(m: Mutant, ref_source: str) -> list[str]:
    """The lines the mutant writes that the (normalised) reference does not, stripped."""
    return [ln[1:].strip() for ln in m.diff(normalised(ref_source)).splitlines() if ln.startswith("+")]


def print_report(report: MutantReport, ref_source: str, console: Console) -> None:
    if report.broken:
        console.print(escape(f"{report.question}: not mutation-tested: {report.broken}"), highlight=False,
                      soft_wrap=True)
        return
    declared = f" (+{len(report.declared)} declared)" if report.declared else ""
    console.print(escape(f"{report.question}: {report.total} mutants, {report.killed} killed, "
                         f"{len(report.equivalent)} equivalent{declared}, {len(report.holes)} holes "
                         f"(score {report.score:.0%})"), highlight=False, soft_wrap=True)
    for m, why in report.declared:
        console.print(escape(f"  declared equivalent: mutant {m.index}, line {m.line}: {why}"), highlight=False,
                      soft_wrap=True)
    for line in report.stale:
        console.print(escape(f"  stale equivalent_mutants entry (no surviving mutant writes it): {line}"),
                      highlight=False, soft_wrap=True)
    original = normalised(ref_source)
    for hole in report.holes:
        console.print(escape(f"  hole: mutant {hole.mutant.index}, line {hole.mutant.line}: "
                             f"{hole.mutant.description}; {hole.why}"), highlight=False, soft_wrap=True)
        diff = hole.mutant.diff(original).replace("\n", "\n    ")
        console.print(escape("    " + diff), highlight=False, soft_wrap=True)


def run_mutants(bank: Bank, qids: list[str], seed: int, jobs: int, out: Console, progress: Console) -> bool:
    """Mutation-test each question's checks, a report per question on `out`; True when no question has a hole,
    a stale equivalence declaration or a reference that does not pass."""
    questions = [bank.get(i) for i in qids] if qids else [q for q in bank.questions if q.kind == "coding"]
    questions = [q for q in questions if isinstance(q, CodingQuestion)]
    holes = killed = judged = unclean = 0
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(grade_mutants, bank, q, seed): q for q in questions}
        for n, fut in enumerate(as_completed(futures), 1):
            q = futures[fut]
            report, survivors = fut.result()
            judge_survivors(bank, q, report, survivors, seed)
            print_report(report, (bank.solution_dir(q.id) / "reference.py").read_text(encoding="utf-8"), out)
            progress.print(escape(f"[{n}/{len(questions)}] {q.id}: {len(report.holes)} hole(s)"), highlight=False)
            holes += len(report.holes)
            unclean += not report.clean
            if not report.broken:  # a question without a score adds nothing to the total
                killed += report.killed
                judged += report.judged
    out.print(f"{killed} of {judged} non-equivalent mutants killed, {holes} hole(s)", highlight=False, soft_wrap=True)
    return unclean == 0
