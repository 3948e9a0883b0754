"""The fast CI subset of the grader's mutation testing: a fixed sample of mutations of the core, each of which the
unit tier must catch (the audit's four among them; the full mutmut run is in bench/results/mutation.md).

The package is copied to a temp dir; a driver process (this file run as a script) imports torch once, checks that
the unmutated copy passes the selected unit tests, then for each mutation writes the mutated module into the copy
and runs the unit tests that guard it in a forked child, which imports the grader afresh from the copy.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
CHILD_LIMIT = 60.0  # seconds for one mutant's tests; a hang counts as not caught


class Mutation(NamedTuple):
    name: str
    module: str        # path under grader/
    old: str           # must occur exactly once in the module
    new: str
    tests: tuple[str, ...]


def _unit(name: str, *tests: str) -> tuple[str, ...]:
    return tuple(f"tests/test_unit_{name}.py::{t}" for t in tests)


MUTATIONS = (
    # the audit's four (shared/research/review-2026-12/audit.md)
    Mutation("tolerance k 3.0 -> 30.0", "tolerance.py", "k: float = 3.0)", "k: float = 30.0)",
             _unit("tolerance", "test_k_is_three_times_the_baseline_error")),
    Mutation("CPU time never read (the CPU-time limit disabled)", "sandbox.py",
             'return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")', "return 0.0",
             _unit("sandbox", "test_cpu_seconds_reads_this_process")),
    Mutation("signature rules for missing defaults and extra required parameters removed", "loader.py",
             "        if has_default and got[i].default is inspect.Parameter.empty:\n"
             "            raise InvalidCandidate(", "        if False:\n            raise InvalidCandidate(",
             _unit("loader", "test_wrong_signatures_are_invalid")),
    Mutation("extra required parameters allowed", "loader.py",
             "extra = [p.name for p in got[len(expected):] if p.default is inspect.Parameter.empty]", "extra = []",
             _unit("loader", "test_wrong_signatures_are_invalid")),
    Mutation("index fingerprint ignores size and mtime", "index.py",
             'h.update(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}\\n".encode())',
             'h.update(f"{path.relative_to(root)}\\n".encode())',
             _unit("index", "test_a_size_change_rebuilds_even_with_the_same_mtime",
                   "test_an_mtime_change_rebuilds_even_with_the_same_size")),
    # a sample of the rest of the core
    Mutation("CPU limit compared the wrong way", "sandbox.py", "cpu_used > limit", "cpu_used < limit",
             _unit("sandbox", "test_limit_hit")),
    Mutation("non-finite pattern ignored", "tolerance.py", "return same_pattern and max_abs(g, e) <= tol",
             "return max_abs(g, e) <= tol",
             _unit("tolerance", "test_leaves_close_requires_the_same_non_finite_pattern")),
    Mutation("rounding floor halved", "tolerance.py", "return 2 * float((r - g).abs().max())",
             "return 1 * float((r - g).abs().max())", _unit("tolerance", "test_rounding_floor_pinned_values")),
    Mutation("no guaranteed key per row", "inputs.py", "keep.scatter_(-1, first.unsqueeze(-1), True)", "pass",
             _unit("inputs", "test_keep_gives_every_row_a_key_unless_chosen_empty")),
    Mutation("padding never full", "inputs.py", "lengths[0] = length  #", "lengths[0] = 1  #",
             _unit("inputs", "test_padding_rows_are_full_and_padded_on_the_right_side")),
    Mutation("in-place changes of arguments not recorded", "spy.py", "if not _same(given[name], value):",
             "if False:", _unit("spy", "test_in_place_mutation_is_recorded_and_the_caller_keeps_its_tensors")),
    Mutation("a status other than passed passes", "outcome.py", 'return self.status == "passed"', "return True",
             _unit("outcome", "test_passed_follows_the_status_only")),
    Mutation("a crashed file gets no verdict", "sandbox.py", "if sup.stop is not None and sup.current is not None:",
             "if False:", _unit("sandbox", "test_run_worker_retries_the_files_left_after_a_crash")),
    Mutation("every output leaf close to the oracle", "checks/structure.py", "if leaves_close(g, e, tol):",
             "if True:", _unit("verdict", "test_a_failing_candidate_is_diagnosed")),
    Mutation("no diagnosis by closeness", "verdict.py", "return best[1] if best else None", "return None",
             _unit("verdict", "test_a_failing_candidate_is_diagnosed")),
)


def _copy_package(dest: Path) -> None:
    shutil.copytree(ROOT / "grader", dest / "grader", ignore=shutil.ignore_patterns("__pycache__", "data"))
    for name in ("questions", "solutions", "site"):
        (dest / name).symlink_to(ROOT / name)


def _run_child(copy: Path, tests: list[str]) -> str:
    """Run `tests` in a forked child that imports the grader from `copy`: "passed", "failed" (some test failed),
    "timeout", or "exit N" (pytest could not run them: a wrong test id, an import error)."""
    pid = os.fork()
    if pid == 0:  # the child: never return into the driver
        code = 3
        try:
            import pytest

            import grader

            assert Path(grader.__file__).resolve().is_relative_to(copy.resolve()), grader.__file__
            code = pytest.main(["-q", "-x", "-p", "no:cacheprovider", "--no-header", *tests])
        finally:
            sys.stdout.flush()
            os._exit(int(code))
    deadline = time.monotonic() + CHILD_LIMIT
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            return {0: "passed", 1: "failed"}.get(code, f"exit {code}")
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return "timeout"


def drive(copy: Path) -> dict[str, str]:
    """{"unmutated": outcome, mutation name: outcome}; run with the copy first on sys.path."""
    import pydantic  # noqa: F401 - the grader's heavy dependencies, imported once so each forked child
    import pytest  # noqa: F401   starts with them loaded (the grader itself must be imported afresh)
    import torch  # noqa: F401
    import yaml  # noqa: F401

    os.chdir(ROOT)
    outcomes = {"unmutated": _run_child(copy, sorted({t for m in MUTATIONS for t in m.tests}))}
    for m in MUTATIONS:
        path = copy / "grader" / m.module
        original = path.read_text(encoding="utf-8")
        if original.count(m.old) != 1:
            outcomes[m.name] = f"the text to mutate occurs {original.count(m.old)} times in grader/{m.module}"
            continue
        path.write_text(original.replace(m.old, m.new), encoding="utf-8")
        try:
            outcomes[m.name] = _run_child(copy, list(m.tests))
        finally:
            path.write_text(original, encoding="utf-8")
    return outcomes


def test_the_unit_tier_catches_every_sampled_mutation(tmp_path: Path) -> None:
    _copy_package(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run([sys.executable, __file__, str(tmp_path)], env=env, capture_output=True, text=True,
                          timeout=CHILD_LIMIT * (len(MUTATIONS) + 2), stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    outcomes = json.loads(proc.stdout.splitlines()[-1])
    assert outcomes.pop("unmutated") == "passed", proc.stdout[-3000:]
    missed = {name: how for name, how in outcomes.items() if how != "failed"}
    assert not missed, f"mutations the unit tier does not catch: {missed}"
    assert len(outcomes) == len(MUTATIONS)


if __name__ == "__main__":
    sys.path.insert(0, sys.argv[1])
    print(json.dumps(drive(Path(sys.argv[1]))))
