"""`attnbank grade-batch`: a cohort built from the bank's own files plus hostile ones, graded, killed, resumed."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader import jail
from grader.bank import load_bank
from grader.batch import GROUP_MAX, collect, groups_of
from grader.loader import mistake_source

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ("sdpa", "causal-attention", "rope", "se-block")
HOSTILE = {
    "loop": "def scaled_dot_product_attention(q, k, v, mask=None, scale=None):\n    while True:\n        pass\n",
    "segfault": "import ctypes\n\n\ndef scaled_dot_product_attention(q, k, v, mask=None, scale=None):\n"
                "    ctypes.string_at(0)\n",
    "exit": "import os\n\n\ndef scaled_dot_product_attention(q, k, v, mask=None, scale=None):\n    os._exit(3)\n",
    "flood": "import sys\n\n\ndef scaled_dot_product_attention(q, k, v, mask=None, scale=None):\n"
             "    sys.stdout.write('flood of prints\\n' * 100000)\n    return q\n",
}


def build_cohort(folder: Path) -> dict[tuple[str, str], tuple[str, str | None]]:
    """Students ref/alt/bug (one file per question each) and hostile (sdpa only, four ways):
    {(student, question): (expected status, expected diagnosis)}."""
    bank = load_bank()
    expected: dict[tuple[str, str], tuple[str, str | None]] = {}
    for student in ("ref", "alt", "bug"):
        (folder / student).mkdir(parents=True)
    for qid in QUESTIONS:
        q = bank.get(qid)
        sol = bank.solution_dir(qid)
        (folder / "ref" / f"{qid}.py").write_text((sol / "reference.py").read_text())
        expected["ref", qid] = ("passed", None)
        (folder / "alt" / f"{qid}.py").write_text((sol / q.coding.alternatives[0]).read_text())
        expected["alt", qid] = ("passed", None)
        mistake = next(m for m in q.coding.mistakes if m.caught_by == "values")
        (folder / "bug" / f"{qid}.py").write_text(mistake_source(q, mistake, sol))
        expected["bug", qid] = ("failed", mistake.id)
    for name, source in HOSTILE.items():
        (folder / name).mkdir()
        (folder / name / "sdpa.py").write_text(source)
    expected["loop", "sdpa"] = ("timeout", None)
    expected["segfault", "sdpa"] = ("crashed", None)
    expected["exit", "sdpa"] = ("crashed", None)
    expected["flood", "sdpa"] = ("failed", None)
    (folder / "bug" / "notes.txt").write_text("not a submission")
    expected["bug", "notes"] = ("not-a-question", None)
    os.symlink(ROOT / "solutions" / "sdpa" / "reference.py", folder / "alt" / "causal-attention-copy.py")
    expected["alt", "causal-attention-copy"] = ("refused", None)
    return expected


def batch(folder: Path, out: Path, *extra: str, wait: bool = True, env: dict | None = None):
    # the gradebook's behaviour, also where the sandbox cannot run (its own tests: test_hostile_batch, test_jail)
    sandbox = [] if jail.available() else ["--unsandboxed"]
    cmd = [sys.executable, "-m", "grader", "grade-batch", str(folder), "--out", str(out), "--timeout", "12", *sandbox,
           *extra]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})}, start_new_session=True)
    if not wait:
        return proc
    stdout, stderr = proc.communicate(timeout=900)
    assert proc.returncode == 0, stderr
    return stdout


def gradebook(out: Path) -> list[dict[str, str]]:
    with (out / "gradebook.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def stored(out: Path) -> dict[str, str]:
    with sqlite3.connect(out / "results.sqlite") as db:
        return dict(db.execute("SELECT key, graded_at FROM results"))


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cohort")
    expected = build_cohort(folder)
    out = folder.parent / (folder.name + "-out")
    stdout = batch(folder, out, "-j", "2")
    return folder, out, expected, stdout


def test_every_row_is_graded_as_expected(cohort):
    folder, out, expected, stdout = cohort
    rows = gradebook(out)
    got = {(r["student"], r["question"]): (r["status"], r["diagnosis"] or None) for r in rows}
    assert got == expected
    assert len(rows) == len(expected)  # one row per file, none twice
    for r in rows:
        assert r["passed"] == ("true" if r["status"] == "passed" else "false")
        assert r["seed"] == "0"
        if r["status"] == "failed":
            assert r["failed_check"]
    assert f"{len(rows)} files:" in stdout


def test_identical_files_are_graded_once_and_reported_per_student(cohort):
    folder, out, expected, _ = cohort
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(lines) == len(expected)
    by_student = {(x["student"], x["question"]): x for x in lines}
    assert by_student["ref", "sdpa"]["verdict"]["file"].endswith("ref/sdpa.py")  # the student's path, not a temp copy
    graded = {x["sha256"] for x in lines if x["verdict"]}
    assert len(stored(out)) == len(graded)


def test_summary_page_has_rates_diagnoses_and_students(cohort):
    folder, out, expected, _ = cohort
    html = (out / "summary.html").read_text()
    assert "<svg" in html and "Pass rate per question" in html
    mistake_ids = {d for (s, _), (_, d) in expected.items() if d}
    assert all(m in html for m in mistake_ids)
    for student in ("ref", "alt", "bug", "loop", "segfault"):
        assert f"{student}:" in html
    assert "http" not in html.replace("http-equiv", "")  # a static page: nothing loaded from anywhere


def test_rerun_regrades_nothing_and_a_changed_file_only(cohort, tmp_path):
    folder, out, expected, _ = cohort
    before = stored(out)
    batch(folder, out)
    assert stored(out) == before  # nothing regraded
    changed = folder / "bug" / "sdpa.py"
    changed.write_text((ROOT / "solutions" / "sdpa" / "reference.py").read_text() + "\n# fixed\n")
    batch(folder, out)
    after = stored(out)
    assert len(after) == len(before) + 1 and set(before) <= set(after)
    row = next(r for r in gradebook(out) if (r["student"], r["question"]) == ("bug", "sdpa"))
    assert row["status"] == "passed"


def test_kill_9_mid_batch_then_rerun_gives_every_row_once(tmp_path):
    folder = tmp_path / "subs"
    for i in range(6):
        (folder / f"s{i}").mkdir(parents=True)
        body = (ROOT / "solutions" / "sdpa" / "reference.py").read_text()
        (folder / f"s{i}" / "sdpa.py").write_text(body + f"\n# student {i}\n")
    out = tmp_path / "out"
    proc = batch(folder, out, wait=False)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not ((out / "results.sqlite").exists() and stored(out)):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = stored(out)
    assert 0 < len(partial) < 6, "kill the batch after the first result and before the last"
    batch(folder, out)
    rows = gradebook(out)
    assert sorted(r["student"] for r in rows) == [f"s{i}" for i in range(6)]
    assert all(r["status"] == "passed" for r in rows)
    final = stored(out)
    assert {k: final[k] for k in partial} == partial  # what finished before the kill was not regraded


def test_ray_gives_the_same_gradebook_as_the_local_pool(tmp_path):
    pytest.importorskip("ray", reason="Ray is the [cluster] extra (CI installs it with [dev])")
    folder = tmp_path / "subs"
    full = build_cohort(tmp_path / "cohort")
    for (student, qid), _ in full.items():  # a pass, a named mistake and a crash, on two questions
        if student in ("ref", "bug", "exit") and qid in ("sdpa", "se-block"):
            (folder / student).mkdir(parents=True, exist_ok=True)
            (folder / student / f"{qid}.py").write_text((tmp_path / "cohort" / student / f"{qid}.py").read_text())
    temp = {how: tmp_path / f"tmp-{how}" for how in ("local", "ray")}
    for how, extra in (("local", ()), ("ray", ("--ray",))):
        temp[how].mkdir()
        # Ray's own session files stay where they were (its socket paths must be short)
        batch(folder, tmp_path / how, *extra, "-j", "2", env={"TMPDIR": str(temp[how]), "RAY_TMPDIR": "/tmp"})
    rows = [[{k: v for k, v in r.items() if k != "seconds"} for r in gradebook(tmp_path / out)]
            for out in ("local", "ray")]
    assert rows[0] == rows[1] and len(rows[0]) == 5
    assert {r["status"] for r in rows[1]} == {"passed", "failed", "crashed"}
    # the kept grading workers leave nothing behind: the pool and Ray's actors close theirs before grade-batch
    # returns, and a worker whose caller was killed removes its own folder as it exits, which can come just after
    deadline = time.monotonic() + 20
    while (left := [p.name for how in temp for p in temp[how].glob("attnbank-*")]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left == []


def test_collect_refuses_symlinked_student_folders_and_files_outside(tmp_path):
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "linked")
    (tmp_path / "loose.py").write_text("")
    subs = {(s.student, s.question): s.problem for s in collect(tmp_path, {"sdpa"})}
    assert subs == {("", "linked"): "refused", ("", "loose"): "misplaced"}


def test_groups_spread_over_jobs_and_stay_bounded():
    items = [(str(i), b"") for i in range(40)]
    assert [len(g.items) for g in groups_of("q", items, 2)] == [GROUP_MAX, GROUP_MAX, 40 - 2 * GROUP_MAX]
    assert [len(g.items) for g in groups_of("q", items[:6], 3)] == [2, 2, 2]
    assert groups_of("q", [], 4) == []


def test_grade_batch_refuses_to_run_without_the_sandbox_unless_told(tmp_path: Path) -> None:
    """No bwrap on PATH: grade-batch stops in one line before grading anything; --unsandboxed grades."""
    (tmp_path / "ana").mkdir()
    (tmp_path / "ana" / "sdpa.py").write_text((ROOT / "solutions" / "sdpa" / "reference.py").read_text())
    env = {**os.environ, "PATH": str(tmp_path), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "grader", "grade-batch", str(tmp_path), "--out", str(tmp_path / "out"),
               "--dtype", "float64"]
    refused = subprocess.run(command, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=300)
    assert refused.returncode == 1 and refused.stderr.strip().count("\n") == 0
    assert "install bubblewrap, or pass --unsandboxed" in refused.stderr and not (tmp_path / "out").exists()
    done = subprocess.run([*command, "--unsandboxed"], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=300)
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stderr
