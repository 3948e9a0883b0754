"""`grade-batch --ray`: the same groups as the local pool, graded by Ray actors on a local runtime or a cluster.

Each of the `-j` actors (one CPU, or one GPU for `--device cuda`, on whichever node Ray places it) keeps a
grading worker (grader.sandbox.Worker) for every group it is given, as a local slot does, and grades each from
the sources it is sent against its node's own bank, which must be the same version as the driver's. An actor
that dies is restarted by Ray, elsewhere if its node is gone, and the group it held is graded again; the groups
that finished are already in the store. At the end each actor closes its worker, so nothing is left behind.
"""

from __future__ import annotations

from typing import Any

from .batch import Done, Group, grade_group
from .errors import AttnbankError
from .sandbox import Worker

RETRIES = 3


class Slot:
    """One actor's grading worker, kept from group to group."""

    def __init__(self) -> None:
        self.worker = Worker(keep=True)

    def grade(self, group: Group, settings: dict[str, Any], root: str | None,
              version: str) -> list[tuple[str, dict, float]]:
        from pathlib import Path

        from . import paths
        from .batch_store import question_version
        from .index import find, load_index

        bank = Path(root) if root else paths.root()
        entry = find(load_index(bank), group.question)
        if question_version(bank / entry["file"], bank / "solutions" / group.question) != version:
            raise AttnbankError(f"this node's bank has another version of '{group.question}': "
                                "install the same attnbank")
        return grade_group(group, settings, str(bank), None, self.worker)

    def close(self) -> None:
        self.worker.close()


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
    """Grade the groups on `jobs` Ray actors, each given the next group when it is free; `address` None starts
    a local runtime of `jobs` CPUs."""
    try:
        import ray
    except ImportError as exc:
        raise AttnbankError("--ray needs Ray: pip install 'attnbank[cluster]'") from exc
    if not pending:
        return
    _start(ray, address, jobs)
    try:
        gpus = 1 if settings["device"] == "cuda" else 0
        slot = ray.remote(num_cpus=1, num_gpus=gpus, max_restarts=RETRIES, max_task_retries=RETRIES)(Slot)
        actors = [slot.remote() for _ in range(max(1, min(jobs, len(pending))))]
        todo, running = list(pending), {}

        def give(actor) -> None:
            group = todo.pop(0)
            running[actor.grade.remote(group, settings, None if address else root, vers[group.question])] = \
                (group, actor)

        for actor in actors[:len(todo)]:
            give(actor)
        while running:
            done, _ = ray.wait(list(running), num_returns=1)
            for ref in done:
                group, actor = running.pop(ref)
                for sha, verdict, seconds in ray.get(ref):
                    on_done(group.question, sha, verdict, seconds)
                if todo:
                    give(actor)
        ray.get([actor.close.remote() for actor in actors])
    finally:
        ray.shutdown()
