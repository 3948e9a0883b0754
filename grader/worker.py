"""The grading process: read the job, prepare the plan, grade each file, stream JSON lines to the results file.

Run as `python -m grader.worker JOB.json` by grader.sandbox, which never imports candidate code itself.
Events: {"type": "ready"} once the plan is prepared, then per file {"type": "start"}, one {"type": "check"}
per check result, and {"type": "verdict", ...Verdict.as_dict()}. A file that passes is then checked in the
job's contract dtypes (grader.contract.grade) before its verdict is sent.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import torch

from .contract import Contract, contract_dtypes, grade
from .plan import build_plan, load_question


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
