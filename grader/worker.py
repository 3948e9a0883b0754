"""The grading process: read a job, prepare the plan, grade each file, stream JSON lines to the results file.

Run as `python -m grader.worker JOB.json [--more]` by grader.sandbox. This process holds the plan (reference,
oracle, known mistakes) and runs the checks; each candidate file is imported and run in a process of its own that
holds nothing else: a child of a fork server (grader.host, grader.remote) started while the first plan is
prepared, sandboxed by grader.jail where the job says so. Events:
{"type": "ready"} once the plan is prepared, then per file {"type": "start", "host": the candidate's process
id}, one {"type": "check"} per check result, and {"type": "verdict", ...Verdict.as_dict()}. A file that passes
is then checked in the job's contract dtypes (grader.contract) before its verdict is sent. A candidate's
process that dies gives its file the verdict `crashed`, as a dead worker would, and the next file a new one.
With --more the process stays for more jobs (grade-batch's groups, any question, the same settings): it ends
each with {"type": "done"} and reads the next job's path from stdin, keeping torch and the fork server, and
exits when stdin ends, removing its jobs' folder (its own, made by grader.sandbox.Worker), so that nothing is
left where the caller was killed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .jail import remove
from .launch import start


def _emitter(job: dict[str, Any]):
    out = open(job["results"], "a", encoding="utf-8")  # noqa: SIM115 - closed once the job is served

    def emit(event: dict[str, Any]) -> None:
        out.write(json.dumps(event, default=str) + "\n")
        out.flush()

    return emit, out


def main(argv: list[str]) -> int:
    path, more = Path(argv[1]), "--more" in argv[2:]
    job = json.loads(path.read_text(encoding="utf-8"))
    # the candidates' process imports torch while this one does (none for the bank's own files)
    first = None if job.get("trusted") else start(job.get("host_env") or {}, bool(job.get("tf32")),
                                                   bool(job.get("jail")), path.parent)
    from .grading import serve  # noqa: PLC0415 - torch and the plan's modules, imported once the host is started
    from .remote import Hosts, Zygote  # noqa: PLC0415

    hosts = Hosts(Zygote(first), job.get("host_env") or {}, bool(job.get("tf32")), bool(job.get("jail")),
                  path.parent) if first else None
    try:
        while True:
            emit, out = _emitter(job)
            serve(job, emit, hosts)
            if more:
                emit({"type": "done"})
            out.close()
            line = sys.stdin.readline() if more else ""
            if not line.strip():
                return 0
            job = json.loads(Path(line.strip()).read_text(encoding="utf-8"))
    finally:
        if hosts is not None:
            hosts.close()
        if more:
            remove(path.parent)
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
