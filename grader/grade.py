"""Grade candidate files for one coding question: sandboxed run, then the verdict as a plain dict.

A verdict is `{"question", "file", "passed", "status", "checks": [{"name", "passed", "message",
"details"}], "diagnosis", "error"}` with status one of passed, failed, error, timeout, crashed, invalid.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .bank import Bank
from .errors import AttnbankError
from .sandbox import Settings, run_worker
from .schema import CodingQuestion

STATUSES = ("passed", "failed", "error", "timeout", "crashed", "invalid")


def coding_question(bank: Bank, qid: str) -> CodingQuestion:
    """The coding question `qid`, or a usage error."""
    q = bank.get(qid)
    if not isinstance(q, CodingQuestion):
        raise AttnbankError(f"'{qid}' is a {q.kind} question: only coding questions are graded "
                            f"(try `attnbank show {qid}`)")
    return q


def check_settings(q: CodingQuestion, settings: Settings) -> None:
    """Usage errors for a dtype the question does not allow or a device that is not available."""
    if settings.dtype not in q.coding.dtypes:
        raise AttnbankError(f"'{q.id}' is graded in {', '.join(q.coding.dtypes)}, not {settings.dtype}")
    if settings.device == "cuda":
        import torch  # only here: a CUDA check needs torch in the parent

        if not torch.cuda.is_available():
            raise AttnbankError("--device cuda: no CUDA device is available on this machine")


def grade_files(bank: Bank, q: CodingQuestion, files: list[Path], settings: Settings,
                on_event=None) -> list[dict[str, Any]]:
    """Verdicts for `files` (graded in one sandboxed worker, a fresh one after any crash)."""
    for f in files:
        if not f.is_file():
            raise AttnbankError(f"no such file: {f}")
    check_settings(q, settings)
    timeout = settings.timeout or q.coding.timeout
    verdicts = run_worker(bank.root / bank.files[q.id], bank.solution_dir(q.id), [f.resolve() for f in files],
                          settings, timeout, on_event)
    by_id = {m.id: m for m in q.coding.mistakes}
    for v in verdicts:
        v["question"] = q.id
        m = by_id.get(v.get("diagnosis") or "")
        v["diagnosis_text"] = ({"title": m.title.model_dump(), "explanation": m.explanation.model_dump()}
                               if m else None)
    return verdicts


def grade(bank: Bank, qid: str, file: Path, settings: Settings, on_event=None) -> dict[str, Any]:
    """The verdict for one candidate file."""
    return grade_files(bank, coding_question(bank, qid), [file], settings, on_event)[0]
