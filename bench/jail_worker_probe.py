"""Experiment: today's whole grading worker (plan, candidate, contract passes) inside `jail.wrap`, with the
question's YAML and solutions mounted read-only, to show the sandbox's limits leave grading intact and turn
hostile candidates into verdicts. Temporary: once the candidate runs in its own host process (issue #17),
only that process is jailed and the bank stays outside.

    python bench/jail_worker_probe.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader import jail, paths

SDPA = "attention-basics/sdpa.yaml"
HOSTILE = {
    "100 GB": "import torch\ndef scaled_dot_product_attention(q, k, v, mask=None, scale=None):\n"
              "    return torch.empty(100 << 30, dtype=torch.uint8)\n",
    "fork bomb": "import os\ndef scaled_dot_product_attention(q, k, v, mask=None, scale=None):\n"
                 "    while True:\n        os.fork()\n",
    "10 GB file": "def scaled_dot_product_attention(q, k, v, mask=None, scale=None):\n"
                  "    open('big', 'wb').truncate(10 << 30)\n",
    "socket": "import socket\ndef scaled_dot_product_attention(q, k, v, mask=None, scale=None):\n"
              "    socket.create_connection(('127.0.0.1', 22), timeout=2)\n",
}


def grade(question: str, source: str, env: dict[str, str] | None = None) -> str:
    bank = paths.root()
    qid = Path(question).stem
    with tempfile.TemporaryDirectory(prefix="attnbank-probe-") as tmp:
        work = Path(tmp)
        (work / "cand.py").write_text(source, encoding="utf-8")
        (work / "job.json").write_text(json.dumps({
            "question_file": str(bank / "questions" / question), "solutions": str(bank / "solutions" / qid),
            "files": ["/tmp/cand.py"], "dtype": "float32", "device": "cpu", "seed": 0, "tf32": False,
            "contract": True, "results": "/tmp/results.jsonl"}), encoding="utf-8")
        argv = jail.wrap([sys.executable, "-m", "grader.worker", "/tmp/job.json"], work, env=env)
        at = argv.index("--dev")
        argv[at:at] = [a for d in ("questions", "solutions") for a in ("--ro-bind", str(bank / d), str(bank / d))]
        start = time.monotonic()
        done = subprocess.run(argv, capture_output=True, text=True, timeout=600)
        events = [json.loads(line) for line in (work / "results.jsonl").read_text().splitlines()] \
            if (work / "results.jsonl").exists() else []
        verdict = next((e for e in events if e["type"] == "verdict"), None)
        if verdict is None:
            return f"no verdict (exit {done.returncode}): {done.stderr.strip().splitlines()[-1:]}"
        failed = [f"{c['name']}: {c['message'][:90]}" for c in verdict["checks"] if c["passed"] is False]
        return f"{verdict['status']} in {time.monotonic() - start:.1f} s {failed[-1:]}"


def main() -> None:
    bank = paths.root()
    for question, qid in [(SDPA, "sdpa"), ("multi-head-attention/multi-head-attention.yaml", "multi-head-attention"),
                          ("flash-attention/triton-flash-attention.yaml", "triton-flash-attention")]:
        source = (bank / "solutions" / qid / "reference.py").read_text(encoding="utf-8")
        env = {"TRITON_INTERPRET": "1"} if "triton" in qid else None
        print(f"{qid} reference: {grade(question, source, env)}")
    for name, source in HOSTILE.items():
        print(f"sdpa, {name}: {grade(SDPA, source)}")


if __name__ == "__main__":
    main()
