"""Grade the blind corpus (tests/blind/<question>/*.py) with the grader as a black box and score the grader.

Every candidate file starts with `# blind: wrong|correct`, then (wrong files) `# bug: ...` and `# family: ...`.
Each file is graded in its own subprocess (`python -m grader grade ID FILE --json`). Reported per question and
overall: false accepts (a wrong file passed), false rejects (a correct file failed) and named (wrong files whose
result carries a non-null `diagnosis`), with every wrong file's bug line next to the grader's diagnosis.

    python bench/blind_bench.py [--questions ID ...] [--timeout 600] [--jobs 1] [--dtype float32] [--out PATH]
                                [--batch]

`--batch` grades each question's files in one sandboxed worker (grader.grade.grade_files, as `attnbank check`
does: one plan, a fresh worker after any crash) instead of one CLI process per file: the same verdicts for
far less CPU (torch is imported and the oracle prepared once per question).

Each graded file is also appended to PATH.partial.jsonl as soon as it is done; `--resume` reuses those rows (for
the same files) instead of grading them again, so an interrupted run can be finished.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shlex
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = pathlib.Path(__file__).resolve().parents[1]
BLIND = ROOT / "tests" / "blind"


def header(path: pathlib.Path) -> dict:
    """The `# key: value` lines at the top of a candidate file."""
    meta = {}
    for line in path.read_text().splitlines():
        if not line.startswith("# ") or ":" not in line:
            break
        key, value = line[2:].split(":", 1)
        meta[key.strip()] = value.strip()
    if meta.get("blind") not in ("wrong", "correct"):
        raise ValueError(f"{path}: first line must be '# blind: wrong' or '# blind: correct'")
    return meta


def candidates(questions: list[str] | None) -> list[tuple[str, pathlib.Path]]:
    dirs = sorted(d for d in BLIND.iterdir() if d.is_dir() and not d.name.startswith("_"))
    if questions:
        dirs = [d for d in dirs if d.name in questions]
    return [(d.name, p) for d in dirs for p in sorted(d.glob("*.py")) if not p.name.startswith("_")]


def grade(qid: str, path: pathlib.Path, timeout: float, dtype: str | None) -> dict:
    cmd = [sys.executable, "-m", "grader", "grade", qid, str(path), "--json"]
    if dtype:
        cmd += ["--dtype", dtype]
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(ROOT))
    env.setdefault("ATTNBANK_ROOT", str(ROOT))
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "passed": False, "diagnosis": None, "seconds": round(time.monotonic() - start, 1)}
    seconds = round(time.monotonic() - start, 1)
    try:
        res = json.loads(proc.stdout)
    except json.JSONDecodeError:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {
            "status": f"no-json (rc {proc.returncode})",
            "passed": False,
            "diagnosis": None,
            "seconds": seconds,
            "error": " | ".join(tail),
        }
    return verdict_row(res, seconds)


def verdict_row(res: dict, seconds: float) -> dict:
    """The fields a row keeps of one verdict (the `grade --json` object)."""
    failed = [c["name"] for c in res.get("checks", []) if not c.get("passed")]
    return {
        "status": res.get("status"),
        "passed": bool(res.get("passed")),
        "diagnosis": res.get("diagnosis"),
        "diagnosis_text": res.get("diagnosis_text"),
        "failed_checks": failed,
        "error": res.get("error"),
        "seconds": seconds,
    }


def grade_batch(qid: str, paths: list[pathlib.Path], timeout: float, dtype: str | None) -> list[dict]:
    """Rows for `paths`, all graded in one worker (see --batch)."""
    sys.path.insert(0, str(ROOT))
    from grader.grade import coding_entry, grade_files
    from grader.index import load_index
    from grader.outcome import Settings

    settings = Settings(dtype=dtype or "float32", timeout=None, contract=dtype is None)  # as a plain grade
    start = time.monotonic()
    verdicts = grade_files(ROOT, coding_entry(load_index(ROOT), qid), paths, settings)
    each = round((time.monotonic() - start) / max(1, len(paths)), 1)
    return [verdict_row(v.as_dict(), each) for v in verdicts]


def summarise(rows: list[dict]) -> dict:
    wrong = [r for r in rows if r["label"] == "wrong"]
    correct = [r for r in rows if r["label"] == "correct"]
    return {
        "files": len(rows),
        "wrong": len(wrong),
        "correct": len(correct),
        "false_accepts": sum(r["passed"] for r in wrong),
        "false_rejects": sum(not r["passed"] for r in correct),
        "named": sum(r["diagnosis"] is not None for r in wrong),
    }


def cell(text) -> str:
    return str(text if text is not None else "—").replace("|", "\\|").replace("\n", " ")


def markdown(command: str, rows: list[dict], per_q: dict, total: dict) -> str:
    out = [
        "# Blind corpus: grader results",
        "",
        f"Command: `{command}`",
        "",
        "False accept = a wrong file passed; false reject = a correct file failed; named = a wrong file got a "
        "non-null `diagnosis`.",
        "",
        "| question | wrong | correct | false accepts | false rejects | named |",
        "|---|---|---|---|---|---|",
    ]
    for qid, s in per_q.items():
        out.append(
            f"| {qid} | {s['wrong']} | {s['correct']} | {s['false_accepts']} | {s['false_rejects']} | "
            f"{s['named']}/{s['wrong']} |"
        )
    out.append(
        f"| **all** | {total['wrong']} | {total['correct']} | {total['false_accepts']} | "
        f"{total['false_rejects']} | {total['named']}/{total['wrong']} |"
    )
    fa = [r for r in rows if r["label"] == "wrong" and r["passed"]]
    fr = [r for r in rows if r["label"] == "correct" and not r["passed"]]
    out += ["", "## False accepts (wrong files that passed)", ""]
    out += [f"- `{r['question']}/{r['file']}`: {r['bug']}" for r in fa] or ["None."]
    out += ["", "## False rejects (correct files that failed)", ""]
    out += [
        f"- `{r['question']}/{r['file']}`: status {r['status']}, failed checks {r.get('failed_checks')}, "
        f"diagnosis {r['diagnosis']}, error {cell(r.get('error'))}"
        for r in fr
    ] or ["None."]
    out += [
        "",
        "## Every wrong file: the bug as written, and the grader's verdict",
        "",
        "| file | family | bug | passed | failed checks | diagnosis | diagnosis text |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["label"] == "wrong":
            out.append(
                f"| {r['question']}/{r['file']} | {r['family']} | {cell(r['bug'])} | {r['passed']} | "
                f"{cell(', '.join(r.get('failed_checks') or []) or r['status'])} | {cell(r['diagnosis'])} | "
                f"{cell(r.get('diagnosis_text'))} |"
            )
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", nargs="*", help="question ids (default: every folder under tests/blind)")
    ap.add_argument("--timeout", type=float, default=600.0, help="wall seconds per file")
    ap.add_argument("--jobs", type=int, default=1, help="files graded at once")
    ap.add_argument("--dtype", default=None, help="passed to the grader as --dtype (default: the grader's)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "blind"), help="output path without suffix")
    ap.add_argument("--resume", action="store_true", help="reuse the rows of PATH.partial.jsonl")
    ap.add_argument("--batch", action="store_true", help="one worker per question instead of one CLI per file")
    args = ap.parse_args()
    command = "python bench/blind_bench.py " + " ".join(shlex.quote(a) for a in sys.argv[1:] if a != "--resume")

    files = candidates(args.questions)
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial.jsonl")
    done = {}
    if args.resume and partial.exists():
        for line in partial.read_text().splitlines():
            row = json.loads(line)
            done[(row["question"], row["file"])] = row
    elif partial.exists():
        partial.unlink()
    lock = threading.Lock()
    print(f"{len(files)} files, {len(done)} reused", flush=True)

    batched: dict[tuple[str, str], dict] = {}

    def graded(qid: str, path: pathlib.Path) -> dict:
        if not args.batch:
            return grade(qid, path, args.timeout, args.dtype)
        if (qid, path.name) not in batched:  # the first file of its question: grade all of them at once
            todo = [p for q, p in files if q == qid and (q, p.name) not in done]
            batched.update({(qid, p.name): r for p, r in zip(todo, grade_batch(qid, todo, args.timeout, args.dtype))})
        return batched[(qid, path.name)]

    def one(item):
        qid, path = item
        meta = header(path)
        if (qid, path.name) in done:
            return done[(qid, path.name)]
        res = graded(qid, path)
        row = {
            "question": qid,
            "file": path.name,
            "label": meta["blind"],
            "bug": meta.get("bug"),
            "family": meta.get("family"),
            **res,
        }
        wrong_verdict = row["label"] == "wrong" and row["passed"]
        right_verdict = row["label"] == "correct" and not row["passed"]
        flag = "FALSE ACCEPT" if wrong_verdict else "FALSE REJECT" if right_verdict else "ok"
        print(
            f"{qid}/{path.name}: {row['label']} -> {row['status']} diag={row['diagnosis']} [{flag}] {row['seconds']}s",
            flush=True,
        )
        with lock, partial.open("a") as fh:
            fh.write(json.dumps(row) + "\n")
        return row

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        rows = list(pool.map(one, files))

    per_q = {}
    for qid in dict.fromkeys(r["question"] for r in rows):
        per_q[qid] = summarise([r for r in rows if r["question"] == qid])
    total = summarise(rows)
    out.with_suffix(".json").write_text(
        json.dumps({"command": command, "total": total, "per_question": per_q, "files": rows}, indent=2) + "\n"
    )
    out.with_suffix(".md").write_text(markdown(command, rows, per_q, total))
    partial.unlink()
    print(json.dumps(total))
    print(f"wrote {out.with_suffix('.md')} and {out.with_suffix('.json')}")


if __name__ == "__main__":
    main()
