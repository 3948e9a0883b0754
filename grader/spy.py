"""Recording what candidate code does while it runs: forbidden ops (at the torch-function and aten levels),
the largest tensors it creates, arguments it modifies in place, and (HalfOps) the precision-sensitive ops it
runs in half precision, with the line of its code that ran each, and (FirstNonfinite) the first op that made
a NaN or an infinity."""

from __future__ import annotations

import contextlib
import math
import traceback
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from .inputs import clone
from .invoke import CandidateError, trim_trace

FORBIDDEN = {
    "sdpa": ("scaled_dot_product", "_flash_attention", "_efficient_attention", "_cudnn_attention"),
    "mha": ("multi_head_attention", "_native_multi_head_attention", "_transformer_encoder_layer"),
    "autograd_grad": ("autograd.grad", "backward"),
}


@dataclass
class Record:
    """What the candidate did during its calls: forbidden uses, largest tensors, mutations."""

    forbidden: list[str] = field(default_factory=list)
    largest: list[tuple[int, str, tuple[int, ...]]] = field(default_factory=list)
    mutations: list[str] = field(default_factory=list)


class _FunctionSpy(TorchFunctionMode):
    def __init__(self, rec: Record, groups: list[str]):
        super().__init__()
        self.rec, self.groups = rec, groups

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if isinstance(func, (torch._ops.OpOverload, torch._ops.OpOverloadPacket)):
            full = f"torch.ops.{func}"
        else:
            name = getattr(func, "__qualname__", None) or getattr(func, "__name__", str(func))
            full = f"{getattr(func, '__module__', '') or ''}.{name}"
        for g in self.groups:
            if any(p in full for p in FORBIDDEN[g]) and full not in self.rec.forbidden:
                self.rec.forbidden.append(full)
        return func(*args, **(kwargs or {}))


class _DispatchSpy(TorchDispatchMode):
    @classmethod
    def _should_skip_dynamo(cls) -> bool:  # pragma: no mutate block (torch calls it while the class is created)
        # torch would wrap __torch_dispatch__ in dynamo.disable, importing all of dynamo (~2 s) on first use
        return False

    def __init__(self, rec: Record, groups: list[str]):
        super().__init__()
        self.rec, self.groups = rec, groups

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        name = str(func.overloadpacket.__name__) if hasattr(func, "overloadpacket") else str(func)
        for g in self.groups:
            if any(p in name for p in FORBIDDEN[g]) and f"aten.{name}" not in self.rec.forbidden:
                self.rec.forbidden.append(f"aten.{name}")
        for t in flatten_tensors(out):
            if t.numel() > (self.rec.largest[0][0] if len(self.rec.largest) >= 3 else 0):
                self.rec.largest.append((t.numel(), f"aten.{name}", tuple(t.shape)))
                self.rec.largest.sort(reverse=True)
                del self.rec.largest[3:]
        return out


# the ops a prompt can require "in at least float32", by the name the YAML uses -> aten op names (in-place
# variants included); max/amax are exact in any dtype, and matmuls in half precision are allowed
PRECISION_OPS: dict[str, tuple[str, ...]] = {
    "softmax": ("_softmax", "softmax"), "log_softmax": ("_log_softmax", "log_softmax"),
    "exp": ("exp", "exp2", "expm1"), "log": ("log", "log2", "log10", "log1p"),
    "logsumexp": ("logsumexp",), "logaddexp": ("logaddexp",),
    "cos": ("cos",), "sin": ("sin",), "pow": ("pow",),
    "sum": ("sum",), "mean": ("mean",), "var": ("var", "var_mean", "std", "std_mean"), "cumsum": ("cumsum",),
}
HALF = (torch.float16, torch.bfloat16)


@dataclass(frozen=True)
class HalfOp:
    """One precision-sensitive op that produced a half-precision result, where the candidate's code ran it."""

    op: str
    dtype: str
    file: str
    line: int
    code: str


class HalfOps(TorchDispatchMode):
    """Records the ops named in `ops` (keys of PRECISION_OPS) whose result is float16 or bfloat16, once per
    op and line, when called (directly or through torch) from a frame of `files`; other code is ignored."""

    @classmethod
    def _should_skip_dynamo(cls) -> bool:  # pragma: no mutate block (see _DispatchSpy)
        return False

    def __init__(self, ops: list[str], files: set[str]):
        super().__init__()
        self.names = {n for o in ops for n in PRECISION_OPS[o]}
        self.files = files
        self.found: list[HalfOp] = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        name = str(func.overloadpacket.__name__) if hasattr(func, "overloadpacket") else str(func)
        if name.rstrip("_") in self.names or name in self.names:
            half = next((t.dtype for t in flatten_tensors(out) if t.dtype in HALF), None)
            frame = None if half is None else next(
                (f for f in reversed(traceback.extract_stack()) if f.filename in self.files), None)
            if frame is not None:
                hit = HalfOp(f"aten.{name}", str(half).replace("torch.", ""), frame.filename, frame.lineno or 0,
                             (frame.line or "").strip())
                if hit not in self.found:
                    self.found.append(hit)
        return out


FILLS = ("fill", "full", "masked_fill", "where", "scalar_tensor", "lift_fresh", "copy", "_to_copy", "clone",
         "empty", "new_full", "index_put", "scatter")  # ops that place an infinity given to them (a mask's -inf)


UNINITIALISED = ("empty", "empty_like", "empty_strided", "new_empty", "new_empty_strided")  # garbage, not NaN
GROWING = ("exp", "exp2", "expm1", "pow", "cosh", "sinh", "square")  # +inf from -inf inputs is an overflow


class FirstNonfinite(TorchDispatchMode):
    """Finds the first aten op whose output has a NaN or an infinity that its inputs do not explain: an
    infinity from finite inputs, or +inf from a growing function (exp of a row with a masked -inf), is an
    overflow; a NaN from inputs without one comes from inf - inf or 0 * inf."""

    @classmethod
    def _should_skip_dynamo(cls) -> bool:  # pragma: no mutate block (see _DispatchSpy)
        return False

    def __init__(self) -> None:
        super().__init__()
        self.found: str | None = None

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        name = str(func.overloadpacket.__name__) if hasattr(func, "overloadpacket") else str(func)
        if self.found is None and name.rstrip("_") not in UNINITIALISED:
            ins = [t for t in flatten_tensors(list(args) + list((kwargs or {}).values())) if t.is_floating_point()]
            outs = [t for t in flatten_tensors(out) if t.is_floating_point()]
            in_nan = any(bool(torch.isnan(t).any()) for t in ins)
            in_inf = [any(bool((t == sign * math.inf).any()) for t in ins) for sign in (1, -1)]
            out_inf = [any(bool((t == sign * math.inf).any()) for t in outs) for sign in (1, -1)]
            if not in_nan and any(bool(torch.isnan(t).any()) for t in outs):
                self.found = f"aten.{name} produced NaN" + (" from infinite inputs (inf - inf or 0 * inf)"
                                                             if any(in_inf) else " from finite inputs")
            elif not name.rstrip("_").endswith(FILLS) and ((any(out_inf) and not any(in_inf)) or (
                    name.rstrip("_") in GROWING and out_inf[0] and not in_inf[0])):
                self.found = f"aten.{name} overflowed to {'inf' if out_inf[0] else '-inf'}"
        return out


def flatten_tensors(value: Any) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in flatten_tensors(v)]
    return []


def _same(a: Any, b: Any) -> bool:
    """Whether `a` still equals its copy `b` (tensors compared exactly, NaN equal to NaN; containers followed)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and torch.equal(
            torch.nan_to_num(a, nan=0.0) if a.is_floating_point() else a,
            torch.nan_to_num(b, nan=0.0) if b.is_floating_point() else b)
    return True


class Spy:
    """Calls candidate code while recording forbidden ops, large tensors and input mutation.

    The aten-level spy is installed only when a question needs it (forbidden ops or a memory check):
    under any TorchDispatchMode, constructing a tensor subclass such as PyTorch's own `CausalBias`
    (`torch.nn.attention.bias.causal_lower_right`) fails, so correct code that uses one would error.
    """

    def __init__(self, groups: list[str], files: set[str], aten: bool = True):
        self.record = Record()
        self.groups = groups
        self.files = files
        self.aten = aten

    def call(self, fn: Any, kwargs: dict[str, Any], where: str) -> Any:
        given = clone(kwargs)  # the candidate gets copies, so a mutation cannot corrupt later checks
        dispatch = _DispatchSpy(self.record, self.groups) if self.aten else contextlib.nullcontext()
        try:
            with _FunctionSpy(self.record, self.groups), dispatch:
                out = fn(**given)
        except SystemExit as exc:
            raise CandidateError.of(exc, f"the candidate called sys.exit({exc.code!r})\n") from None
        except Exception as exc:
            raise CandidateError.of(exc, trim_trace(exc, self.files)) from None
        for name, value in kwargs.items():
            if not _same(given[name], value):
                self.record.mutations.append(f"argument `{name}` was modified in place ({where})")
        return out
