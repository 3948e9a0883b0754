"""The candidate's process: `python -m grader.host`, started by grader.remote in a private folder that holds
a copy of the harness modules only (grader.remote.HOST_MODULES: no bank, no question, no reference).

It answers requests [op, arguments] on stdin with [\"ok\", answer] or [\"error\", kind, details] on stdout
(grader.wire), running a grader.harness.Session. Before any candidate code runs, the protocol moves to
private copies of those descriptors: the candidate's reads get nothing and its prints go to stderr.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import traceback
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


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the grader's process dies (PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def _forget_installed_grader() -> None:
    """Drop the import hooks of an editable install (setuptools' `__editable__` finders), which would import
    the rest of the grader package, bank locator included, from the checkout it was installed from."""
    sys.meta_path[:] = [f for f in sys.meta_path if not _editable(f)]
    sys.path_hooks[:] = [h for h in sys.path_hooks if not _editable(h)]
    sys.path_importer_cache.clear()


def _editable(hook: Any) -> bool:
    return (getattr(hook, "__module__", "") or "").startswith("__editable__")


def main() -> int:
    _forget_installed_grader()
    requests = os.fdopen(os.dup(0), "rb", buffering=0)
    replies = os.fdopen(os.dup(1), "wb")
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.dup2(2, 1)  # the candidate's prints join the grader's log
    _die_with_parent()
    torch.set_num_threads(1)
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = "--tf32" in sys.argv[1:]
    session = Session()
    send(replies, ["ready"])
    while True:
        try:
            request = decode(receive(requests))
        except EOFError:
            return 0
        reply = answer(session, request)
        try:
            send(replies, _detached(reply))
        except Exception as exc:  # noqa: BLE001 - an answer torch.save cannot write (a tensor subclass, ...)
            send(replies, ["error", "bad_output", f"returned something that cannot be sent to the grader "
                                                  f"({type(exc).__name__}: {str(exc)[:200]})"])


if __name__ == "__main__":
    sys.exit(main())
