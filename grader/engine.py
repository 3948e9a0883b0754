"""Running implementations on prepared cases: invocation, output flattening, tolerance and recording.

The trusted half (`prepare`) materialises every case and computes the oracle, the same-dtype baseline
and each known mistake's outputs before any candidate code is imported.
"""

from __future__ import annotations

import contextlib
import math
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from .inputs import DTYPES, cast, clone, make_args
from .loader import load_source, mistake_source
from .schema import Case, CodingQuestion


class CandidateError(Exception):
    """The candidate raised while being called; `trace` holds its own frames only."""

    def __init__(self, exc: BaseException, trace: str):
        super().__init__(f"{type(exc).__name__}: {exc}")
        self.exc = exc
        self.trace = trace


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


# ----------------------------------------------------------------------------- recording


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
    def _should_skip_dynamo(cls) -> bool:
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


def flatten_tensors(value: Any) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in flatten_tensors(v)]
    return []


def _same(a: Any, b: Any) -> bool:
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
            raise CandidateError(exc, f"the candidate called sys.exit({exc.code!r})\n") from None
        except Exception as exc:
            raise CandidateError(exc, trim_trace(exc, self.files)) from None
        for name, value in kwargs.items():
            if not _same(given[name], value):
                self.record.mutations.append(f"argument `{name}` was modified in place ({where})")
        return out


def direct_call(fn: Any, kwargs: dict[str, Any], where: str) -> Any:
    """Call trusted code (reference, mistakes) on copies, without recording."""
    return fn(**clone(kwargs))


# ----------------------------------------------------------------------------- invocation


@dataclass
class Impl:
    """An implementation under test or a trusted one: its entry point and how to call it."""

    obj: Any
    call: Any = direct_call  # (fn, kwargs, where) -> result

    def run(self, prep: Prepared, args: Any, dtype: torch.dtype, device: str) -> list[Any]:
        """Run one case with `args` (a dict, or a list of step arg dicts) and return the leaves."""
        where = f"case {prep.case.id}"
        if prep.case.init is None:
            return flatten(self.call(self.obj, args, where))
        init = cast(prep.init, dtype, device)
        instance = self.call(self.obj, init, f"{where}, constructor")
        if isinstance(instance, torch.nn.Module):
            load_weights(instance, prep.weights, dtype, device)
        if prep.case.steps is None:
            return flatten(self.call(instance, args, where))
        leaves: list[Any] = []
        for i, (step, step_args) in enumerate(zip(prep.case.steps, args)):
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
                if step.raises is None or not isinstance(err.exc, Exception):
                    raise
                leaves.append(Raised(type(err.exc).__name__))
            except Exception as exc:  # trusted code raising on purpose
                if step.raises is None:
                    raise
                leaves.append(Raised(type(exc).__name__))
            else:
                if step.raises is not None:
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


# ----------------------------------------------------------------------------- tolerance


def max_abs(a: torch.Tensor, b: torch.Tensor) -> float:
    """Max |a - b| over positions where both are finite (0.0 if none)."""
    a64, b64 = a.detach().to("cpu", torch.float64), b.detach().to("cpu", torch.float64)
    both = torch.isfinite(a64) & torch.isfinite(b64)
    return float((a64 - b64).abs()[both].max()) if both.any() else 0.0


def rounding_floor(golden: torch.Tensor, dtype: torch.dtype) -> float:
    """Twice the error of a round trip through `dtype` near the golden values (FA3's floor)."""
    g = golden.detach().to("cpu", torch.float64)
    finite = torch.isfinite(g)
    if not finite.any():
        return 0.0
    g = g[finite]
    r = ((g.to(dtype) + 0.3) - 0.3).to(torch.float64)
    relative = 1e-12 if dtype == torch.float64 else 0.0  # float64: allow reordering of sums
    return 2 * float((r - g).abs().max()) + relative * (1 + float(g.abs().max()))


def tolerance(golden: Any, baseline: Any, dtype: torch.dtype, k: float = 3.0) -> float:
    """k x (same-dtype baseline error) + rounding floor; 0 for non-float leaves."""
    if not (isinstance(golden, torch.Tensor) and golden.is_floating_point()):
        return 0.0
    # the floor is the rounding of the dtype the output comes in (a float32 log-sum-exp stays float32)
    out_dtype = baseline.dtype if isinstance(baseline, torch.Tensor) and baseline.is_floating_point() else dtype
    return k * max_abs(baseline, golden) + rounding_floor(golden, out_dtype)


@dataclass
class Worst:
    """The worst element of a comparison, for messages."""

    index: tuple[int, ...]
    expected: float
    got: float
    abs_err: float
    rel_err: float


def worst(got: torch.Tensor, expected: torch.Tensor) -> Worst:
    g = got.detach().to("cpu", torch.float64)
    e = expected.detach().to("cpu", torch.float64)
    diff = (g - e).abs()
    diff = torch.where(torch.isfinite(e) & ~torch.isfinite(g), torch.inf, diff)
    diff = torch.nan_to_num(diff, nan=math.inf)
    flat = int(diff.argmax())
    idx = tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), e.shape)) if e.dim() else ()
    ev, gv, d = float(e[idx]), float(g[idx]), float(diff[idx])
    return Worst(idx, ev, gv, d, d / max(abs(ev), 1e-12))


def leaves_close(got: Any, expected: Any, tol: float) -> bool:
    """Same kind, same non-finite pattern, finite values within `tol` (exact for non-floats)."""
    if isinstance(expected, torch.Tensor):
        if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
            return False
        if not expected.is_floating_point():
            return torch.equal(got.detach().cpu().to(expected.dtype), expected.detach().cpu())
        g, e = got.detach().cpu().to(torch.float64), expected.detach().cpu().to(torch.float64)
        same_pattern = torch.equal(torch.isfinite(g), torch.isfinite(e)) and torch.equal(
            torch.isnan(g), torch.isnan(e)) and torch.equal(g[torch.isinf(g)], e[torch.isinf(e)])
        return same_pattern and max_abs(g, e) <= tol
    if isinstance(expected, float) and isinstance(got, (int, float)):
        return abs(got - expected) <= max(tol, 1e-9 * abs(expected))
    return type(got) is type(expected) and got == expected


# ----------------------------------------------------------------------------- preparation


@dataclass
class Prepared:
    """One case, materialised: inputs in the grading dtype, the oracle, the baseline and mistakes."""

    case: Case
    seed: int
    master: Any            # float64 args (dict) or list of step arg dicts
    init: dict[str, Any] | None
    weights: dict[str, torch.Tensor] | None
    inputs: Any            # master rounded to the grading dtype, on the device
    golden_inputs: Any     # the rounded inputs upcast to float64
    golden: list[Any] = field(default_factory=list)
    baseline: list[Any] = field(default_factory=list)
    tols: list[float] = field(default_factory=list)
    mistakes: dict[str, list[Any] | str] = field(default_factory=dict)  # leaves, or an error string
    label: str = ""        # how a derived case was made (e.g. "q x 31")

    @property
    def is_script(self) -> bool:
        return self.case.steps is not None

    def dims(self) -> str:
        """The shapes of the tensor arguments, for messages."""
        if self.is_script:
            return f"{len(self.case.steps)} scripted steps"
        shapes = [f"{k}{list(v.shape)}" for k, v in self.master.items() if isinstance(v, torch.Tensor)]
        shapes += [f"{k}[{', '.join(str(list(t.shape)) for t in v)}]" for k, v in self.master.items()
                   if isinstance(v, list) and v and all(isinstance(t, torch.Tensor) for t in v)]
        return ", ".join(shapes)


def _map_args(master: Any, fn) -> Any:
    if isinstance(master, list):
        return [{k: fn(v) for k, v in step.items()} for step in master]
    return {k: fn(v) for k, v in master.items()}


def round_trip(master: Any, dtype: torch.dtype, device: str) -> tuple[Any, Any]:
    """(inputs in dtype on device, the same rounded values in float64)."""
    inputs = _map_args(master, lambda v: cast(v, dtype, device))
    golden = _map_args(inputs, lambda v: cast(v, torch.float64, device))
    return inputs, golden


def case_seed(seed: int, index: int) -> int:
    return seed * 1000 + index


def materialise(question: CodingQuestion, case: Case, index: int, seed: int, ref_obj: Any,
                dtype: torch.dtype, device: str) -> Prepared:
    """Draw a case's arguments (and reference weights for modules) from its seed."""
    spec = question.coding
    dims = {**spec.dims, **case.dims}
    s = case_seed(seed, index)
    if case.steps is not None:
        master: Any = [make_args(step.args, dims, s + 7919 * (i + 1)) for i, step in enumerate(case.steps)]
    else:
        master = make_args(case.args or {}, dims, s)
    init = make_args(case.init, dims, s) if case.init is not None else None
    weights = None
    if init is not None and isinstance(ref_obj, type) and issubclass(ref_obj, torch.nn.Module):
        torch.manual_seed(s)
        weights = {k: v.detach().to(torch.float64) for k, v in ref_obj(**cast(init, torch.float32, "cpu"))
                   .state_dict().items()}
    inputs, golden_inputs = round_trip(master, dtype, device)
    if weights is not None:  # weights, like inputs, are rounded to the grading dtype first
        weights = {k: cast(cast(v, dtype, "cpu"), torch.float64, "cpu") for k, v in weights.items()}
    return Prepared(case, s, master, init, weights, inputs, golden_inputs)


def tf32_floor(golden: Any, dtype: torch.dtype, device: str) -> float:
    """With TF32 matmuls allowed, any matmul may round its inputs to 10 mantissa bits, whether or not the
    reference's own code path uses one: allow PyTorch's TF32 test tolerance, 1e-3 relative to the output."""
    if not (device == "cuda" and dtype == torch.float32 and torch.backends.cuda.matmul.allow_tf32):
        return 0.0
    if not (isinstance(golden, torch.Tensor) and golden.is_floating_point()):
        return 0.0
    finite = golden.detach()[torch.isfinite(golden.detach())]
    return 1e-3 * max(1.0, float(finite.abs().max()) if finite.numel() else 0.0)


def expected_outputs(ref: Impl, prep: Prepared, dtype: torch.dtype, device: str) -> None:
    """Fill the oracle (float64), the same-dtype baseline and the per-leaf tolerances."""
    prep.golden = ref.run(prep, prep.golden_inputs, torch.float64, device)
    prep.baseline = ref.run(prep, prep.inputs, dtype, device)
    prep.tols = [tolerance(g, b, dtype) + tf32_floor(g, dtype, device) for g, b in zip(prep.golden, prep.baseline)]


def load_mistakes(question: CodingQuestion, sol_dir: Path) -> dict[str, Any]:
    """Each known mistake's entry point, by mistake id."""
    out = {}
    for m in question.coding.mistakes:
        module = load_source(mistake_source(question, m, sol_dir), str(sol_dir / f"mistake_{m.id}.py"))
        out[m.id] = getattr(module, question.coding.entry_point)
    return out


def dtype_of(name: str) -> torch.dtype:
    return DTYPES[name]
