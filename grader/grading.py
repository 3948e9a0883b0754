"""Grading a job's files in the worker (grader.worker): the plan and the contract prepared once, then each file
graded with its candidate in a process of its own (grader.remote.Hosts), the events streamed by `emit`."""


from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import torch

from .candidate import Ask, local
from .contract import Contract, contract_dtypes
from .outcome import CheckResult, Verdict
from .plan import Plan, build_plan, load_question
from .remote import Host, HostLost, Hosts
from .sandbox import crash_message, crashed_verdict, tail
from .verdict import Emit, grade_file, load_candidate


def grade(plan: Plan, contract: Contract, path: Path, emit: Emit, ask: Ask | None = None) -> Verdict:
    """The verdict of one file: graded in the plan's dtype, then, if it passed, in each contract dtype; the
    candidate runs in the session `ask` reaches (by default in this process)."""
    ask = ask or local()
    verdict = grade_file(plan, path, emit, ask)
    verdict.dtypes = [str(plan.dtype).replace("torch.", "")]
    if not verdict.passed or not contract.dtypes:
        return verdict

    def record(result: CheckResult) -> None:
        verdict.checks.append(result)
        emit({"type": "check", "file": str(path), **result.as_dict()})

    candidate = load_candidate(plan, path, ask, [], aten=False)[0]
    assert candidate is not None  # it loaded a moment ago
    done, verdict.status, verdict.error = contract.run(candidate, record)
    verdict.dtypes += done
    named = next((c.details.pop("diagnosis") for c in verdict.checks if "diagnosis" in c.details), None)
    if named:  # right values in the wrong dtype: say so, as the float32 grading would have
        verdict.diagnosis, verdict.diagnosis_text = named["id"], named["text"]
    return verdict


def grade_in(host: Host, plan: Plan, contract: Contract, path: Path, emit: Emit, log: Path | None) -> Verdict:
    """`grade` with the candidate in `host`; if that process dies, the verdict `crashed` with the checks
    that finished and the end of the log (what a dead worker's verdict holds)."""
    checks: list[CheckResult] = []

    def collect(event: dict[str, Any]) -> None:
        if event["type"] == "check":
            checks.append(CheckResult.from_dict(event))
        emit(event)

    try:
        return grade(plan, contract, path, collect, host.ask)
    except HostLost as lost:
        verdict = crashed_verdict(str(path), checks, lost.why or crash_message(lost.code), tail(log) if log else "")
        verdict.question = plan.question.id
        return verdict
    finally:
        host.close()


def serve(job: dict[str, Any], emit: Emit, hosts: Hosts | None) -> None:
    """Grade every file of `job`, each in a child of the fork server `hosts` keeps; with none (a trusted job)
    in this process."""
    torch.set_num_threads(1)  # tiny tensors: threads cost more than they give, and graders run side by side
    torch.backends.cuda.matmul.allow_tf32 = bool(job.get("tf32"))
    torch.backends.cudnn.allow_tf32 = bool(job.get("tf32"))
    question = load_question(Path(job["question_file"]))
    plan = build_plan(question, Path(job["solutions"]), job["dtype"], job["device"], int(job["seed"]))
    passes = contract_dtypes(question, job["dtype"]) if job.get("contract") else []
    contract = Contract(question, Path(job["solutions"]), passes, job["device"], int(job["seed"]))
    emit({"type": "ready", "time": time.time()})
    log = Path(job["log"]) if job.get("log") else None
    for file in job["files"]:
        if hosts is None:
            emit({"type": "start", "file": file, "time": time.time()})
            emit({"type": "verdict", **grade(plan, contract, Path(file), emit).as_dict()})
            continue
        host = hosts.take()  # lost already if no process could be had: graded as crashed, no candidate code ran
        emit({"type": "start", "file": file, "time": time.time(), "host": host.pid})
        emit({"type": "verdict", **grade_in(host, plan, contract, Path(file), emit, log).as_dict()})
