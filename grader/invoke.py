"""Calling implementations: the errors a call can end in, output flattening, and running one prepared case
(a function call, a module's constructor and forward, or a scripted series of method calls)."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

import torch

from .inputs import cast, clone


class CandidateError(Exception):
    """The candidate raised while being called: the exception's type `name`, the names of its classes
    (`lineage`, most derived first), `trace` (the candidate's own frames only); `where` names the call.

    Built from the exception itself (`of`) where the candidate runs, and from those strings where the
    grader receives them from the candidate's process."""

    def __init__(self, name: str, message: str, lineage: tuple[str, ...], trace: str):
        super().__init__(f"{name}: {message}")
        self.name, self.message, self.lineage, self.trace = name, message, lineage, trace
        self.where = ""  # the call that raised (case, argument shapes and dtypes, seed), set by the grader

    @classmethod
    def of(cls, exc: BaseException, trace: str) -> CandidateError:
        return cls(type(exc).__name__, str(exc), tuple(c.__name__ for c in type(exc).__mro__), trace)


@dataclass(frozen=True)
class Raised:
    """A leaf standing for an exception raised by a step (type name only)."""

    name: str


class BadOutput(Exception):
    """The output is not something the grader can compare (a NumPy array, a string, ...)."""


def flatten(value: Any) -> list[Any]:
    """The leaves of an output: tensors, Python scalars, None and Raised markers, in order."""
    if isinstance(value, (torch.Tensor, Raised)) or value is None or isinstance(value, (bool, int, float)):
        return [value]
    if isinstance(value, (tuple, list)):
        return [leaf for v in value for leaf in flatten(v)]
    kind = f"{type(value).__module__}.{type(value).__qualname__}"
    if type(value).__module__ == "numpy":
        raise BadOutput(f"returned a {kind}; return a torch.Tensor (numpy arrays lose dtype, device and autograd)")
    raise BadOutput(f"returned a {kind}, which is not a tensor or a tuple of tensors")


def describe(leaves: list[Any]) -> str:
    """A short description of a list of leaves, for messages."""
    parts = []
    for leaf in leaves:
        if isinstance(leaf, torch.Tensor):
            parts.append(f"Tensor{list(leaf.shape)}")
        elif isinstance(leaf, Raised):
            parts.append(f"raised {leaf.name}")
        else:
            parts.append(repr(leaf))
    return ", ".join(parts) if parts else "nothing"


def trim_trace(exc: BaseException, files: set[str]) -> str:
    """The traceback restricted to frames in `files` (the candidate's own), plus the exception line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in files]
    lines = traceback.format_list(frames) if frames else []
    return "".join(lines) + "".join(traceback.format_exception_only(type(exc), exc))



def direct_call(fn: Any, kwargs: dict[str, Any], where: str) -> Any:
    """Call trusted code (reference, mistakes) on copies, without recording."""
    return fn(**clone(kwargs))


# ----------------------------------------------------------------------------- invocation


@dataclass(frozen=True)
class Step:
    """One call of a scripted case: a method (`call`) or an attribute read (`get`); `raises`: it must raise."""

    call: str | None
    get: str | None
    raises: bool


@dataclass(frozen=True)
class Script:
    """How to call an implementation on one case, and nothing of what it should return: the case id, the
    constructor arguments and weights (None for a function), the steps (None for a single call)."""

    case: str
    init: dict[str, Any] | None = None
    weights: dict[str, torch.Tensor] | None = None
    steps: tuple[Step, ...] | None = None


@dataclass
class Impl:
    """An implementation under test or a trusted one: its entry point and how to call it."""

    obj: Any
    call: Any = direct_call  # (fn, kwargs, where) -> result

    def run(self, script: Script, args: Any, dtype: torch.dtype, device: str) -> list[Any]:
        """Run one case with `args` (a dict, or a list of step arg dicts) and return the leaves."""
        where = f"case {script.case}"
        if script.init is None:
            return flatten(self.call(self.obj, args, where))
        init = cast(script.init, dtype, device)
        instance = self.call(self.obj, init, f"{where}, constructor")
        if isinstance(instance, torch.nn.Module):
            load_weights(instance, script.weights, dtype, device)
        if script.steps is None:
            return flatten(self.call(instance, args, where))
        leaves: list[Any] = []
        for i, (step, step_args) in enumerate(zip(script.steps, args)):
            where_i = f"{where}, step {i + 1} ({step.call or step.get})"
            if step.get is not None:
                leaves.extend(flatten(self.call(lambda _s=step: getattr(instance, _s.get), {}, where_i)))
                continue
            method = getattr(instance, step.call, None)
            if method is None:
                raise BadOutput(f"the object has no method `{step.call}` ({where_i})")
            try:
                leaves.extend(flatten(self.call(method, step_args, where_i)))
            except CandidateError as err:
                if not step.raises or "Exception" not in err.lineage:
                    raise
                leaves.append(Raised(err.name))
            except Exception as exc:  # trusted code raising on purpose
                if not step.raises:
                    raise
                leaves.append(Raised(type(exc).__name__))
            else:
                if step.raises:
                    leaves.append(Raised("nothing"))
        return leaves


class WeightError(Exception):
    """The candidate module's parameters do not match the reference's names and shapes."""


def load_weights(module: torch.nn.Module, weights: dict[str, torch.Tensor] | None,
                 dtype: torch.dtype, device: str) -> None:
    """Load the reference's weights into `module` by name, naming missing or extra keys clearly."""
    if weights is None:
        return
    own = module.state_dict()
    missing = sorted(set(weights) - set(own))
    extra = sorted(set(own) - set(weights))
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected {', '.join(extra)}")
        raise WeightError("parameter names differ from the question's: " + "; ".join(parts))
    for k, v in weights.items():
        if tuple(own[k].shape) != tuple(v.shape):
            raise WeightError(f"parameter `{k}` has shape {list(own[k].shape)}, expected {list(v.shape)}")
    module.load_state_dict({k: cast(v, dtype, device) for k, v in weights.items()})
    module.to(device=device, dtype=dtype)
