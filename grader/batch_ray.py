"""`grade-batch --ray`: the same groups as the local pool, as Ray tasks on a local runtime or a cluster.

Each task grades one group on whichever node Ray picks (one CPU, or one GPU for `--device cuda`), from the
sources it is sent, against that node's own bank, which must be the same version as the driver's. A task
whose worker dies is retried by Ray elsewhere; the groups that finished are already in the store. Each Ray
worker process keeps its grading worker (grader.sandbox.Worker) for the tasks it runs after the first, as the
local pool does; it ends when that process exits (its stdin closes with it).
"""

from __future__ import annotations

import atexit
from typing import Any

from .batch import Done, Group, grade_group
from .errors import AttnbankError
from .sandbox import Worker

RETRIES = 3
_kept: list[Worker] = []  # this Ray worker process's grading worker, once it has run a task


def _task(group: Group, settings: dict[str, Any], root: str | None, version: str) -> list[tuple[str, dict, float]]:
    from pathlib import Path

    from . import paths
    from .batch_store import question_version
    from .index import find, load_index

    bank = Path(root) if root else paths.root()
    entry = find(load_index(bank), group.question)
    if question_version(bank / entry["file"], bank / "solutions" / group.question) != version:
        raise AttnbankError(f"this node's bank has another version of '{group.question}': install the same attnbank")
    if not _kept:
        _kept.append(Worker(keep=True))
        atexit.register(_kept[0].close)
    return grade_group(group, settings, str(bank), None, _kept[0])


def _start(ray, address: str | None, jobs: int, attempts: int = 3) -> None:
    """Join the cluster, or start a local runtime; Ray gives a local node 30 s to start, which a loaded
    machine can miss, so a local start is tried again."""
    for attempt in range(1, attempts + 1):
        try:
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(num_cpus=max(1, jobs), include_dashboard=False, log_to_driver=False)
            return
        except Exception as exc:  # Ray raises a bare Exception when its node does not start in time
            ray.shutdown()
            if address or attempt == attempts:
                raise AttnbankError(f"Ray did not start: {exc}") from exc


def run_ray(pending: list[Group], settings: dict[str, Any], address: str | None, jobs: int, root: str | None,
            vers: dict[str, str], on_done: Done) -> None:
    """Grade the groups as Ray tasks; `address` None starts a local runtime of `jobs` CPUs."""
    try:
        import ray
    except ImportError as exc:
        raise AttnbankError("--ray needs Ray: pip install 'attnbank[cluster]'") from exc
    _start(ray, address, jobs)
    try:
        gpus = 1 if settings["device"] == "cuda" else 0
        task = ray.remote(num_cpus=1, num_gpus=gpus, max_retries=RETRIES)(_task)
        refs = {task.remote(g, settings, None if address else root, vers[g.question]): g for g in pending}
        while refs:
            done, _ = ray.wait(list(refs), num_returns=1)
            for ref in done:
                group = refs.pop(ref)
                for sha, verdict, seconds in ray.get(ref):
                    on_done(group.question, sha, verdict, seconds)
    finally:
        ray.shutdown()
