"""The candidate's own process, from the grader's side: started by grader.launch (through grader.jail, in a
private folder holding a copy of the harness modules only); asked over a pipe (grader.wire), every reply
checked before use. Its death, or a reply that breaks the protocol, is
HostLost: the file being graded has crashed (grader.worker), the grader goes on.
"""

from __future__ import annotations

import builtins
import contextlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

from . import launch
from .harness import is_data
from .invoke import BadOutput, CandidateError, WeightError
from .loader import InvalidCandidate
from .wire import ProtocolError, decode, receive, send


class HostLost(BaseException):
    """The candidate's process died (`code`: its exit status, negative for a signal) or broke the protocol
    (`why`). A BaseException, so that no check's `except Exception` mistakes it for the candidate's error."""

    def __init__(self, code: int | None, why: str | None = None):
        super().__init__(why or f"the candidate's process stopped (exit {code})")
        self.code, self.why = code, why


class HostFailure(Exception):
    """An error in the candidate's process outside the candidate's own calls, of a type not rebuilt here."""


class Host:
    """One candidate's process (grader.launch.start), used for one file, then closed; `ask` is a
    grader.candidate.Ask."""

    def __init__(self, started: tuple[subprocess.Popen, Path]):
        self.proc, self.workdir = started
        self.lost: HostLost | None = None
        self.ready = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self) -> None:
        """Wait until the process has imported torch and the harness (HostLost if it dies first), so that a
        file's time limits count the candidate's work only."""
        assert self.proc.stdout is not None
        if self.lost is not None:
            raise self.lost
        if self.ready:
            return
        try:
            hello = decode(receive(self.proc.stdout))
        except (OSError, EOFError):
            raise self._lose(None) from None
        except ProtocolError as exc:
            raise self._lose(f"the candidate's process broke the grader's protocol: {exc}") from None
        if hello != ["ready"]:
            raise self._lose("the candidate's process broke the grader's protocol: no greeting")
        self.ready = True

    def ask(self, op: str, **kwargs: Any) -> Any:
        """The answer to `op`; the candidate's errors raised as CandidateError, BadOutput, WeightError,
        InvalidCandidate; HostLost if the process is gone or broke the protocol."""
        self.wait_ready()
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            send(self.proc.stdin, [op, kwargs])
            data = receive(self.proc.stdout)
        except (OSError, EOFError):
            raise self._lose(None) from None
        except ProtocolError as exc:
            raise self._lose(f"the candidate's process broke the grader's protocol: {exc}") from None
        try:
            reply = decode(data)
        except ProtocolError as exc:  # a whole message, unreadable: the candidate's answer, not the pipe's
            raise BadOutput(f"the candidate's process sent an answer the grader does not read ({exc})") from None
        if not (isinstance(reply, list) and is_data(reply) and reply and reply[0] in ("ok", "error")):
            raise BadOutput("the candidate's process sent something that is not an answer")
        if reply[0] == "ok" and len(reply) == 2:
            return reply[1]
        raise _error(reply)

    def _lose(self, why: str | None) -> HostLost:
        if why is not None:
            self._kill()
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # it closed its pipe but lives on
            self._kill()
            code = self.proc.wait()
        self.lost = HostLost(code, why)
        return self.lost

    def _kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()

    def close(self) -> None:
        """End the process (its requests stream closes; killed if it does not exit) and remove its folder."""
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self._kill()
            self.proc.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


class Hosts:
    """Hosts for a worker's files, one per file, the next one started while the current file is graded."""

    def __init__(self, first: Host, extra_env: dict[str, str], tf32: bool, parent: Path | None):
        self.extra_env, self.tf32, self.parent = extra_env, tf32, parent
        self._next: Host | None = first

    def take(self, more: bool) -> Host:
        """The started host for the next file; another is started for the file after it if `more`."""
        host = self._next or Host(launch.start(self.extra_env, self.tf32, self.parent))
        self._next = Host(launch.start(self.extra_env, self.tf32, self.parent)) if more else None
        return host

    def close(self) -> None:
        if self._next is not None:
            self._next.close()
            self._next = None


def _error(reply: list[Any]) -> Exception:
    """The exception an error reply stands for (a malformed one is the candidate's BadOutput)."""
    kind, details = (reply[1], reply[2]) if len(reply) == 3 else (None, None)
    if kind == "candidate" and _strings(details, 4, lineage=2):
        return CandidateError(details[0], details[1], tuple(details[2]), details[3])
    if kind == "invalid" and isinstance(details, list) and len(details) == 2 and isinstance(details[0], str) \
            and (details[1] is None or isinstance(details[1], str)):
        return InvalidCandidate(details[0], details[1])
    if kind == "bad_output" and isinstance(details, str):
        return BadOutput(details)
    if kind == "weights" and isinstance(details, str):
        return WeightError(details)
    if kind == "other" and _strings(details, 4, lineage=2):
        name, message = details[0], details[1]
        cls = getattr(builtins, name, None)
        if isinstance(cls, type) and issubclass(cls, Exception) and not issubclass(cls, UnicodeError):
            return cls(message)
        if "RuntimeError" in details[2]:  # torch's own errors (autograd's, linalg's) are RuntimeErrors
            return RuntimeError(message)
        return HostFailure(f"{name}: {message}")
    return BadOutput("the candidate's process sent an error the grader does not read")


def _strings(details: Any, n: int, lineage: int) -> bool:
    """Whether `details` is a list of `n` strings, but at index `lineage` a list of strings."""
    return isinstance(details, list) and len(details) == n and all(
        (isinstance(d, list) and all(isinstance(x, str) for x in d)) if i == lineage else isinstance(d, str)
        for i, d in enumerate(details))
