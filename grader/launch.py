"""Starting the candidates' process (grader.host) without importing torch here, so that the grading process
can start it before its own imports: a private temporary folder holding a copy of the harness modules only,
an environment that names no bank, the command wrapped by grader.jail where the sandbox works.
grader.remote talks to it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import jail

PACKAGE = Path(__file__).resolve().parent
# every module `python -m grader.host` imports, and nothing that knows the bank (plan, paths, bank, solutions)
HOST_MODULES = ("__init__", "host", "harness", "wire", "invoke", "inputs", "loader", "spy", "vocab",
                "schema_inputs", "schema_base")
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH")


def host_env(workdir: Path, extra: dict[str, str]) -> dict[str, str]:
    """The candidate's environment: a few of ours (PASSED_ENV), its folder as home and temp, and `extra` (the
    question's cpu_env); no PYTHONPATH, no ATTNBANK_ROOT, nothing else of the grader's."""
    env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
    return {**env, "HOME": str(workdir), "TMPDIR": str(workdir), **extra}


@dataclass(frozen=True)
class Started:
    """A started fork server (grader.host): the process (bwrap's, when `jailed`) and its private folder."""

    proc: subprocess.Popen
    workdir: Path
    jailed: bool


def start(extra_env: dict[str, str], tf32: bool, jailed: bool, parent: Path | None = None) -> Started:
    """Start `python -m grader.host` from a copy of HOST_MODULES in a private folder (-E: no PYTHON*
    variables, -s: no user site, -B: no bytecode written, -u: unbuffered), talking over its stdin and stdout,
    its stderr ours (the grader's log); if `jailed`, in grader.jail's sandbox, where the folder is /tmp and
    its harness copy read-only. The folder is made in `parent` (the job's folder, removed by grader.sandbox
    even when this process is killed), else in the system's temp."""
    workdir = Path(tempfile.mkdtemp(prefix="attnbank-host-", dir=parent))
    package = workdir / "grader"
    package.mkdir()
    for name in HOST_MODULES:
        shutil.copyfile(PACKAGE / f"{name}.py", package / f"{name}.py")
    command = [sys.executable, "-E", "-s", "-B", "-u", "-m", "grader.host", *(["--tf32"] if tf32 else []),
               *(["--jailed"] if jailed else [])]
    # the sandbox's PYTHONPATH (the grader package) is ignored under -E; emptied, it names no checkout either.
    # No shared Triton cache there (grader.grade.device_env): it is not writable inside, and would be a channel
    # between submissions; each file's kernels compile in its own folder.
    jailed_env = {**{k: v for k, v in extra_env.items() if k != "TRITON_CACHE_DIR"}, "PYTHONPATH": ""}
    argv = jail.wrap(command, workdir, env=jailed_env, readonly=("grader",)) if jailed else command
    proc = subprocess.Popen(argv, cwd=workdir, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env=host_env(workdir, extra_env))
    return Started(proc, workdir, jailed)
