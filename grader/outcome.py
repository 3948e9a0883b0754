"""The grader's public types, defined once: how to grade (Settings) and what comes back (CheckResult, Verdict).

Torch-free: the parent process, the report, `grade --json` and the practice log all use these; the worker
builds them and sends them across the process boundary as JSON (`as_dict` / `from_dict`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Status = Literal["passed", "failed", "error", "internal", "timeout", "memory", "crashed", "invalid"]
"""passed/failed: every check ran; error: the candidate raised; internal: the grader itself crashed (a bug in
attnbank, never the candidate's fault); timeout/crashed: the candidate's process was stopped or died;
memory: the candidate ran out of memory (a MemoryError, or the sandbox's memory limit, see grader.jail);
invalid: the file cannot be graded (syntax, imports, signature, parameter names)."""
STATUSES: tuple[str, ...] = get_args(Status)
JSON_KEYS = ("question", "file", "passed", "status", "dtypes", "checks", "diagnosis", "diagnosis_text", "error")


@dataclass(frozen=True)
class Settings:
    """How to grade: device, dtype, seed, and the per-file timeout in CPU seconds (None = the question's).

    `contract`: after a pass, also run the cheap dtype-contract passes (float64, and bfloat16 and float16 where the
    question allows it; see grader.contract). A plain `grade` sets it; an explicit `--dtype` does not.
    `trusted`: the files are the bank's own (`attnbank check`): their code runs in the worker's process instead
    of the candidates' process (grader.remote). `sandboxed`: refuse to grade where grader.jail's sandbox cannot
    run (grade-batch, whose files are untrusted); otherwise such a machine grades without it."""

    device: str = "cpu"
    dtype: str = "float32"
    seed: int = 0
    timeout: float | None = None
    tf32: bool = False  # allow TF32 matmuls for float32 on CUDA
    contract: bool = False
    trusted: bool = False
    sandboxed: bool = False


@dataclass
class CheckResult:
    """The outcome of one check; `passed` is None when the check was skipped (with the reason)."""

    name: str
    passed: bool | None
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "message": self.message, "details": self.details}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CheckResult:
        return cls(d["name"], d["passed"], d["message"], d.get("details") or {})


@dataclass
class Verdict:
    """Everything known about one graded file. `error` is the candidate's own traceback for status error,
    the grader's for status internal; `output` is the worker's last output after a crash or timeout."""

    file: str
    question: str | None = None
    status: Status = "invalid"
    checks: list[CheckResult] = field(default_factory=list)
    diagnosis: str | None = None  # the known mistake's id, or a generic diagnosis's ("generic:mask-inverted")
    # {"title": {en, zh}, "explanation": {en, zh}}, and for a generic one "cases": {"matched": m, "total": n}
    diagnosis_text: dict[str, Any] | None = None
    error: str | None = None
    output: str | None = None
    dtypes: list[str] = field(default_factory=list)  # the grading dtype, then each contract pass that ran

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def failed_checks(self) -> list[CheckResult]:
        return [c for c in self.checks if c.passed is False]

    def check(self, name: str) -> CheckResult:
        """The result of check `name` (KeyError if it did not run)."""
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(f"{name} not in {[c.name for c in self.checks]}")

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (`grade --json`), plus `output` when there is one."""
        d = {"question": self.question, "file": self.file, "passed": self.passed, "status": self.status,
             "dtypes": self.dtypes, "checks": [c.as_dict() for c in self.checks], "diagnosis": self.diagnosis,
             "diagnosis_text": self.diagnosis_text, "error": self.error}
        if self.output is not None:
            d["output"] = self.output
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Verdict:
        if d["status"] not in STATUSES:
            raise ValueError(f"unknown verdict status {d['status']!r}")
        return cls(d["file"], d.get("question"), d["status"], [CheckResult.from_dict(c) for c in d["checks"]],
                   d.get("diagnosis"), d.get("diagnosis_text"), d.get("error"), d.get("output"),
                   d.get("dtypes") or [])
