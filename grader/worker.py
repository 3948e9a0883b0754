"""The grading process: read the job, prepare the plan, grade each file, stream JSON lines to the results file.

Run as `python -m grader.worker JOB.json` by grader.sandbox. This process holds the plan (reference, oracle,
known mistakes) and runs the checks; each candidate file is imported and run in a process of its own that
holds nothing else: a child of a fork server (grader.host, grader.remote) started while the plan is prepared,
sandboxed by grader.jail where the job says so. Events:
{"type": "ready"} once the plan is prepared, then per file {"type": "start", "host": the candidate's process
id}, one {"type": "check"} per check result, and {"type": "verdict", ...Verdict.as_dict()}. A file that passes
is then checked in the job's contract dtypes (grader.contract) before its verdict is sent. A candidate's
process that dies gives its file the verdict `crashed`, as a dead worker would, and the next file a new one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .launch import start


def main(argv: list[str]) -> int:
    job = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    out = open(job["results"], "a", encoding="utf-8")  # noqa: SIM115 - kept open for the process lifetime

    def emit(event: dict[str, Any]) -> None:
        out.write(json.dumps(event, default=str) + "\n")
        out.flush()

    # the candidates' process imports torch while this one does (none for the bank's own files)
    first = None if job.get("trusted") else start(job.get("host_env") or {}, bool(job.get("tf32")),
                                                   bool(job.get("jail")), Path(argv[1]).parent)
    from .grading import serve  # noqa: PLC0415 - torch and the plan's modules, imported once the host is started
    from .remote import Zygote  # noqa: PLC0415

    serve(job, emit, Zygote(first) if first else None, Path(argv[1]).parent)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
