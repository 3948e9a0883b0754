"""The candidate as the checks see it: operations on one loaded entry point, answered by a harness.Session in
this process (`local`: trusted files and tests) or in the candidate's own process (grader.remote, where the
same Session runs). Every answer is checked here; a malformed one is the candidate's BadOutput.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from .harness import Session, is_data, plain_script
from .invoke import BadOutput, Raised, Script, flatten
from .spy import HalfOp, Record

Ask = Callable[..., Any]  # ask(op, **arguments) -> the Session's plain answer (grader.harness.Session.OPS)


def local(session: Session | None = None) -> Ask:
    """Asking a session in this process: the candidate's code runs here, next to whatever this process holds."""
    session = session or Session()
    return lambda op, **kwargs: getattr(session, op)(**kwargs)


def _malformed(op: str) -> BadOutput:
    return BadOutput(f"the candidate's process answered `{op}` with something that is not a valid answer")


def _int(value: Any, op: str) -> int:
    if type(value) is not int:
        raise _malformed(op)
    return value


def _strings(value: Any, op: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise _malformed(op)
    return value


class Candidate:
    """One entry point of a candidate, by its handle in a session reached through `ask`; `files`: its source."""

    def __init__(self, ask: Ask, handle: int, files: set[str]):
        self._ask, self.handle, self.files = ask, handle, files

    @classmethod
    def load(cls, ask: Ask, source: str, filename: str, entry: str, signature: str, groups: list[str],
             aten: bool) -> Candidate:
        """Import `source` as `filename` in the session and check its entry point (InvalidCandidate if not)."""
        handle = ask("load", source=source, filename=filename, entry=entry, signature=signature, groups=groups,
                     aten=aten)
        return cls(ask, _int(handle, "load"), {filename})

    @classmethod
    def local(cls, obj: Any, files: set[str], groups: list[str], aten: bool = True) -> Candidate:
        """An entry point already in this process (tests), in a new local session."""
        session = Session()
        return cls(local(session), session.adopt(obj, sorted(files), groups, aten), files)

    def run(self, script: Script, args: Any, dtype: torch.dtype, device: str) -> list[Any]:
        """The leaves of one case (tensors, scalars, None, Raised markers)."""
        got = self._ask("run", handle=self.handle, script=plain_script(script), args=args, dtype=_name(dtype),
                        device=device)
        if not isinstance(got, list):
            raise _malformed("run")
        return flatten([Raised(x["raised"]) if isinstance(x, dict) and list(x) == ["raised"]
                        and isinstance(x["raised"], str) else x for x in got])

    def gradients(self, script: Script, args: dict[str, Any], wrt: list[str], dtype: torch.dtype, device: str,
                  seed: int) -> tuple[list[torch.Tensor], list[str]]:
        """harness.gradients of the candidate on one case."""
        got = self._ask("gradients", handle=self.handle, script=plain_script(script), args=args, wrt=wrt,
                        dtype=_name(dtype), device=device, seed=seed)
        if not (isinstance(got, (list, tuple)) and len(got) == 2 and isinstance(got[0], list)
                and all(type(g) is torch.Tensor for g in got[0]) and len(got[0]) == len(_strings(got[1], "gradients"))):
            raise _malformed("gradients")
        return got[0], got[1]

    def half_ops(self, script: Script, args: Any, dtype: torch.dtype, device: str, ops: list[str]) -> list[HalfOp]:
        got = self._ask("half_ops", handle=self.handle, script=plain_script(script), args=args, dtype=_name(dtype),
                        device=device, ops=ops)
        types = (str, str, str, int, str)
        if not isinstance(got, list) or not all(isinstance(h, list) and len(h) == 5 and all(
                type(x) is t for x, t in zip(h, types)) for h in got):
            raise _malformed("half_ops")
        return [HalfOp(*h) for h in got]

    def first_nonfinite(self, script: Script, args: Any, dtype: torch.dtype, device: str) -> str | None:
        got = self._ask("first_nonfinite", handle=self.handle, script=plain_script(script), args=args,
                        dtype=_name(dtype), device=device)
        if got is not None and not isinstance(got, str):
            raise _malformed("first_nonfinite")
        return got

    def construct(self, init: dict[str, Any], where: str) -> int:
        """The handle of the object a class entry point builds from `init`."""
        return _int(self._ask("construct", handle=self.handle, init=init, where=where), "construct")

    def attribute(self, handle: int, name: str, where: str) -> tuple[str, Any]:
        """("method", handle), ("value", data) or ("object", handle): attribute `name` of object `handle`."""
        return _answer(self._ask("attribute", handle=handle, name=name, where=where), "attribute")

    def invoke(self, handle: int, kwargs: dict[str, Any], where: str) -> tuple[str, Any]:
        """("value", data) or ("object", handle): what calling object `handle` on `kwargs` returned."""
        return _answer(self._ask("invoke", handle=handle, kwargs=kwargs, where=where), "invoke")

    def timing(self, args: dict[str, Any]) -> dict[str, Any]:
        """{"ms": median CUDA milliseconds, "peak": extra bytes} of the entry point on `args`, or {"oom": why}."""
        got = self._ask("timing", handle=self.handle, args=args)
        if isinstance(got, dict) and list(got) == ["oom"] and isinstance(got["oom"], str):
            return got
        if not (isinstance(got, dict) and sorted(got) == ["ms", "peak"] and type(got["ms"]) is float
                and type(got["peak"]) is int):
            raise _malformed("timing")
        return got

    def record(self) -> Record:
        """What the spy has recorded so far: forbidden ops, largest tensors, mutated arguments."""
        got = self._ask("record", handle=self.handle)
        if not (isinstance(got, dict) and sorted(got) == ["forbidden", "largest", "mutations"]):
            raise _malformed("record")
        largest = got["largest"]
        if not isinstance(largest, list) or not all(
                isinstance(x, list) and len(x) == 3 and type(x[0]) is int and isinstance(x[1], str)
                and isinstance(x[2], list) and all(type(d) is int for d in x[2]) for x in largest):
            raise _malformed("record")
        return Record(_strings(got["forbidden"], "record"), [(n, op, tuple(s)) for n, op, s in largest],
                      _strings(got["mutations"], "record"))

    def clear_largest(self) -> None:
        """Forget the largest tensors recorded so far (the memory check measures one case at a time)."""
        self._ask("clear_largest", handle=self.handle)


def _answer(got: Any, op: str) -> tuple[str, Any]:
    if isinstance(got, list) and len(got) == 2:
        kind, value = got
        if kind in ("method", "object") and type(value) is int:
            return kind, value
        if kind == "value" and is_data(value):
            return kind, value
    raise _malformed(op)


def _name(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")
