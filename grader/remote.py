"""The candidates' process, from the grader's side: a fork server (grader.host) started by grader.launch,
in grader.jail's sandbox where there is one, in a private folder holding a copy of the harness modules only;
each file's candidate is a child of it, asked over the server's pipes (grader.wire), every reply checked
before use. A child's death, or a reply that breaks the protocol, is HostLost: the file being graded has
crashed (grader.grading), the grader goes on (with a new server if the protocol broke).
"""

from __future__ import annotations

import builtins
import contextlib
import subprocess
from pathlib import Path
from typing import Any

from . import jail, launch
from .harness import is_data
from .invoke import BadOutput, CandidateError, WeightError
from .loader import InvalidCandidate
from .wire import ProtocolError, decode, receive, send


class HostLost(BaseException):
    """The candidate's process died (`code`: its exit status, negative for a signal, None if unknown) or broke
    the protocol (`why`). A BaseException, so that no check's `except Exception` mistakes it for the candidate's
    error."""

    def __init__(self, code: int | None, why: str | None = None):
        super().__init__(why or f"the candidate's process stopped (exit {code})")
        self.code, self.why = code, why


class HostFailure(Exception):
    """An error in the candidate's process outside the candidate's own calls, of a type not rebuilt here."""


def _children(pid: int) -> list[int] | None:
    """The processes `pid` started that are still there (zombies included), or None if /proc does not tell."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return None


class Zygote:
    """A worker's candidates' process (grader.host, started by grader.launch): it imported torch once and
    forks a child for each file; `fork` gives that file's Host."""

    def __init__(self, started: launch.Started):
        self.proc, self.workdir, self.jailed = started.proc, started.workdir, started.jailed
        self.ready = False
        self.dead: HostLost | None = None

    def _server(self) -> int | None:
        """The host pid of the fork server: the process itself, or in the sandbox bwrap's grandchild."""
        return jail.candidate_pid(self.proc.pid) if self.jailed else self.proc.pid

    def read(self) -> Any:
        """The next message (HostLost, and the sandbox killed, if the stream ends or breaks the protocol)."""
        assert self.proc.stdout is not None
        try:
            return decode(receive(self.proc.stdout))
        except (OSError, EOFError):
            raise self.lose(None) from None
        except ProtocolError as exc:
            raise self.lose(f"the candidate's process broke the grader's protocol: {exc}") from None

    def write(self, message: Any) -> None:
        assert self.proc.stdin is not None
        try:
            send(self.proc.stdin, message)
        except OSError:
            raise self.lose(None) from None

    def fork(self) -> Host:
        """A fresh child for the next file, once the server has started (HostLost if it cannot be had)."""
        if self.dead is not None:
            raise self.dead
        if not self.ready:
            if self.read() != ["ready"]:
                raise self.lose("the candidate's process broke the grader's protocol: no greeting")
            self.ready = True
        self.write(["fork", {}])
        hello = self.read()
        server = self._server()
        kids = _children(server) if server else None
        if hello != ["forked"]:
            reply = hello if isinstance(hello, list) and is_data(hello) else []
            why = f"could not start the candidate's process ({reply[2][1]})" if reply[:2] == ["error", "other"] \
                and _strings(reply[2], 4, lineage=2) else "the candidate's process broke the grader's protocol"
            raise self.lose(why)
        return Host(self, kids[0] if kids else None)

    def alone(self) -> bool:
        """Whether, between files, nothing of the last file runs on: the server has no child, and in the
        sandbox its init runs nothing but the server (where /proc does not tell, it is taken as so)."""
        server = self._server()
        if server is None or _children(server):
            return server is None and not self.jailed
        if self.jailed:
            init = _children(self.proc.pid)
            return not init or _children(init[0]) in (None, [server])
        return True

    def lose(self, why: str | None) -> HostLost:
        """Stop the whole sandbox; every later file gets a new one."""
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        self.dead = HostLost(self.proc.wait(), why)
        return self.dead

    def close(self) -> None:
        """End the server (its requests stream closes; killed if it does not exit) and remove its folder."""
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream:
                    stream.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        jail.remove(self.workdir)


class Host:
    """One file's candidate: a child of the fork server, asked over its streams; `ask` is a
    grader.candidate.Ask. A child that dies makes the server say ["exited", code]: HostLost."""

    def __init__(self, zygote: Zygote | None, pid: int | None, lost: HostLost | None = None):
        self.zygote, self.pid, self.lost = zygote, pid, lost

    def ask(self, op: str, **kwargs: Any) -> Any:
        """The answer to `op`; the candidate's errors raised as CandidateError, BadOutput, WeightError,
        InvalidCandidate; HostLost if the child is gone or broke the protocol."""
        if self.lost is not None:
            raise self.lost
        assert self.zygote is not None
        try:
            self.zygote.write([op, kwargs])
            reply = self.zygote.read()
        except HostLost as lost:
            self.lost = lost
            raise
        if _exited(reply):
            self.lost = HostLost(reply[1])
            self._check_alone()
            raise self.lost
        if not (isinstance(reply, list) and is_data(reply) and reply and reply[0] in ("ok", "error")):
            raise BadOutput("the candidate's process sent something that is not an answer")
        if reply[0] == "ok" and len(reply) == 2:
            return reply[1]
        raise _error(reply)

    def _check_alone(self) -> None:
        assert self.zygote is not None
        if not self.zygote.alone():  # a forged ["exited"], or something left behind: start afresh
            self.zygote.lose("the candidate's process left processes behind")

    def close(self) -> None:
        """End the child (["end", {}], then the server's ["exited", code]) and check nothing of it is left."""
        if self.lost is not None or self.zygote is None:
            return
        try:
            self.zygote.write(["end", {}])
            reply = self.zygote.read()
        except HostLost:
            return
        if not _exited(reply):
            self.zygote.lose("the candidate's process broke the grader's protocol")
            return
        self._check_alone()


class Hosts:
    """The fork server of a worker's files, and a new one whenever the last one died."""

    def __init__(self, first: Zygote, extra_env: dict[str, str], tf32: bool, jailed: bool, parent: Path | None):
        self.extra_env, self.tf32, self.jailed, self.parent = extra_env, tf32, jailed, parent
        self.zygote = first

    def take(self) -> Host:
        """The next file's candidate process (a Host already lost if none could be started)."""
        if self.zygote.dead is not None:
            self.zygote.close()
            self.zygote = Zygote(launch.start(self.extra_env, self.tf32, self.jailed, self.parent))
        try:
            return self.zygote.fork()
        except HostLost as lost:
            return Host(None, None, lost)

    def close(self) -> None:
        self.zygote.close()


def _exited(reply: Any) -> bool:
    return isinstance(reply, list) and len(reply) == 2 and reply[0] == "exited" and type(reply[1]) is int


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
