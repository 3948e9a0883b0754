"""The grading process: read the job, prepare the plan, grade each file, stream JSON lines to the results file.

Run as `python -m grader.worker JOB.json` by grader.sandbox, which never imports candidate code itself.
Events: {"type": "ready"} once the plan is prepared, then per file {"type": "start"}, one {"type": "check"}
per check result, and {"type": "verdict", ...Verdict.as_dict()}. A file that passes is then checked in the
job's contract dtypes (grader.contract) before its verdict is sent.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import torch

from .contract import Contract, contract_dtypes
from .outcome import CheckResult, Verdict
from .plan import Plan, build_plan, load_question
from .verdict import Emit, grade_file, load_candidate


def grade(plan: Plan, contract: Contract, path: Path, emit: Emit) -> Verdict:
    """The verdict of one file: graded in the plan's dtype, then, if it passed, in each contract dtype."""
    verdict = grade_file(plan, path, emit)
    verdict.dtypes = [str(plan.dtype).replace("torch.", "")]
    if not verdict.passed or not contract.dtypes:
        return verdict

    def record(result: CheckResult) -> None:
        verdict.checks.append(result)
        emit({"type": "check", "file": str(path), **result.as_dict()})

    obj = load_candidate(plan, path)[0]
    done, verdict.status, verdict.error = contract.run(obj, {str(path)}, record)
    verdict.dtypes += done
    named = next((c.details.pop("diagnosis") for c in verdict.checks if "diagnosis" in c.details), None)
    if named:  # right values in the wrong dtype: say so, as the float32 grading would have
        verdict.diagnosis, verdict.diagnosis_text = named["id"], named["text"]
    return verdict


def main(argv: list[str]) -> int:
    job = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    out = open(job["results"], "a", encoding="utf-8")  # noqa: SIM115 - kept open for the process lifetime

    def emit(event: dict[str, Any]) -> None:
        out.write(json.dumps(event, default=str) + "\n")
        out.flush()

    torch.set_num_threads(1)  # tiny tensors: threads cost more than they give, and graders run side by side
    torch.backends.cuda.matmul.allow_tf32 = bool(job.get("tf32"))
    torch.backends.cudnn.allow_tf32 = bool(job.get("tf32"))
    question = load_question(Path(job["question_file"]))
    plan = build_plan(question, Path(job["solutions"]), job["dtype"], job["device"], int(job["seed"]))
    passes = contract_dtypes(question, job["dtype"]) if job.get("contract") else []
    contract = Contract(question, Path(job["solutions"]), passes, job["device"], int(job["seed"]))
    emit({"type": "ready", "time": time.time()})
    for file in job["files"]:
        emit({"type": "start", "file": file, "time": time.time()})
        emit({"type": "verdict", **grade(plan, contract, Path(file), emit).as_dict()})
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
