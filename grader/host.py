"""The candidates' process: `python -m grader.host`, started by grader.launch in a private folder that holds
a copy of the harness modules only (grader.launch.HOST_MODULES: no bank, no question, no reference), inside
grader.jail's sandbox where there is one.

It imports torch once, greets ["ready"] on stdout, and then is a fork server: for each file the grader sends
["fork", {}], and a forked child (it greets ["forked"]), which holds nothing but what this process imported,
answers requests [op, arguments] with ["ok", answer] or ["error", kind, details] (grader.wire), running a
grader.harness.Session, until ["end", {}]. Once the child is gone this process ends whatever it left
running, empties the folder but the harness, and sends ["exited", status] (the child's exit code, negative
for a signal), so the grader knows its file's candidate is gone. Before any candidate code runs, the protocol
moves to private copies of the descriptors: the candidate's reads get nothing and its prints go to stderr
(the grader's log, emptied before each file). A child cannot be traced or read by the next one (PR_SET_DUMPABLE 0).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

import torch

from .harness import Session
from .invoke import BadOutput, CandidateError, WeightError
from .loader import InvalidCandidate
from .wire import decode, receive, send


def answer(session: Session, request: Any) -> list[Any]:
    """The reply to one request: the Session's answer, or the error it ended in, by kind."""
    if not (isinstance(request, list) and len(request) == 2 and request[0] in Session.OPS
            and isinstance(request[1], dict)):
        return ["error", "other", ["ValueError", f"not a request: {request!r:.200}", ["ValueError"], ""]]
    op, kwargs = request
    try:
        return ["ok", getattr(session, op)(**kwargs)]
    except CandidateError as err:
        return ["error", "candidate", [err.name, err.message, list(err.lineage), err.trace]]
    except InvalidCandidate as exc:
        return ["error", "invalid", [str(exc), exc.trace]]
    except BadOutput as exc:
        return ["error", "bad_output", str(exc)]
    except WeightError as exc:
        return ["error", "weights", str(exc)]
    except Exception as exc:  # noqa: BLE001 - outside the candidate's calls (autograd, a step raising on purpose)
        return ["error", "other", [type(exc).__name__, str(exc), [c.__name__ for c in type(exc).__mro__],
                                   traceback.format_exc()]]


def _detached(value: Any) -> Any:
    """`value` with every tensor detached from autograd (the grader reads values; gradients are taken here)."""
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (list, tuple)):
        items = [_detached(v) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, dict):
        return {k: _detached(v) for k, v in value.items()}
    return value


PR_SET_PDEATHSIG, PR_SET_DUMPABLE = 1, 4
HARNESS = "grader"  # the folder of harness modules in this process's folder, kept between files


def _prctl(option: int, value: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(option, value)


def _forget_installed_grader() -> None:
    """Drop the import hooks of an editable install (setuptools' `__editable__` finders), which would import
    the rest of the grader package, bank locator included, from the checkout it was installed from."""
    sys.meta_path[:] = [f for f in sys.meta_path if not _editable(f)]
    sys.path_hooks[:] = [h for h in sys.path_hooks if not _editable(h)]
    sys.path_importer_cache.clear()


def _editable(hook: Any) -> bool:
    return (getattr(hook, "__module__", "") or "").startswith("__editable__")


def serve(session: Session, requests: Any, replies: Any) -> int:
    """Answer requests until ["end", {}] (0) or the end of the stream (1)."""
    while True:
        try:
            request = decode(receive(requests))
        except EOFError:
            return 1
        if request == ["end", {}]:
            return 0
        reply = answer(session, request)
        try:
            send(replies, _detached(reply))
        except Exception as exc:  # noqa: BLE001 - an answer torch.save cannot write (a tensor subclass, ...)
            send(replies, ["error", "bad_output", f"returned something that cannot be sent to the grader "
                                                  f"({type(exc).__name__}: {str(exc)[:200]})"])


def child(requests: Any, replies: Any) -> None:
    """A forked child: its own process group, killed with this process, never traced or read by another
    process of the sandbox; answers one file's requests, then exits without running any cleanup."""
    code = 1
    try:
        os.setpgid(0, 0)
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        _prctl(PR_SET_DUMPABLE, 0)
        # a process the candidate forks gets no protocol: it cannot answer for the candidate or read requests
        os.register_at_fork(after_in_child=lambda: _close(requests.fileno(), replies.fileno()))
        send(replies, ["forked"])
        code = serve(Session(), requests, replies)
    finally:
        os._exit(code)


def _close(*fds: int) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)


def sweep(pid: int, jailed: bool) -> None:
    """End what child `pid` left running (in the sandbox's own pid namespace, every process but its init and
    this one; without it, the child's process group) and remove everything in the folder but the harness."""
    if jailed:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) not in (1, os.getpid()):
                with contextlib.suppress(OSError):
                    os.kill(int(entry.name), signal.SIGKILL)
    else:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
    for entry in Path.cwd().iterdir():
        if entry.name != HARNESS:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    entry.unlink()


def _fresh_log() -> None:
    """Empty stderr (the grader's log for this sandbox) so that each file's output is its own and a flood
    by one file does not fill the size limit for the next."""
    with contextlib.suppress(OSError):
        os.ftruncate(2, 0)
        os.lseek(2, 0, os.SEEK_SET)


def _reap(pid: int) -> int:
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            return os.waitstatus_to_exitcode(status)
        except InterruptedError:
            continue


def main() -> int:
    _forget_installed_grader()
    requests = os.fdopen(os.dup(0), "rb", buffering=0)
    replies = os.fdopen(os.dup(1), "wb")
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.dup2(2, 1)  # the candidate's prints join the grader's log
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    torch.set_num_threads(1)  # before any fork: no OpenMP pool is started here, so none is copied into a child
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = "--tf32" in sys.argv[1:]
    jailed = "--jailed" in sys.argv[1:] and os.getpid() == 2  # pid 2: the process bwrap's init starts
    send(replies, ["ready"])
    while True:
        try:
            request = decode(receive(requests))
        except EOFError:
            return 0
        if request != ["fork", {}]:
            send(replies, ["error", "other", ["ValueError", f"not a fork request: {request!r:.200}",
                                              ["ValueError"], ""]])
            continue
        _fresh_log()
        try:
            pid = os.fork()
        except OSError as exc:  # the process limit
            send(replies, ["error", "other", ["BlockingIOError", str(exc), ["BlockingIOError", "OSError"], ""]])
            continue
        if pid == 0:
            child(requests, replies)
        code = _reap(pid)
        sweep(pid, jailed)
        send(replies, ["exited", code])


if __name__ == "__main__":
    sys.exit(main())
