"""What is done with a candidate where it runs: load it, run its cases under the spy, differentiate through it,
watch its precision and overflows, drive its objects, time it.

A Session holds the loaded entry points and the objects made from them, by handle, and answers in plain data
(tensors, numbers, strings, lists, dicts), so that its answers can cross from the candidate's process
(grader.host) or be used as they are in this one (grader.candidate). Nothing here or in what it imports knows
the bank: no question, reference, oracle, known mistake or expected output.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import torch

from .inputs import DTYPES, cast, noise_like
from .invoke import CandidateError, Impl, Raised, Script, Step, flatten, load_weights, trim_trace
from .loader import InvalidCandidate, entry_point, load_source
from .spy import FirstNonfinite, HalfOps, Spy

SCALARS = (bool, int, float, str, type(None), torch.dtype)


def gradients(impl: Impl, script: Script, args: dict[str, Any], wrt: list[str], dtype: torch.dtype, device: str,
              seed: int) -> tuple[list[torch.Tensor], list[str]]:
    """Gradients of a fixed random projection (drawn from `seed`) of every float output w.r.t. the arguments
    `wrt` (and, for a module, its parameters, by name); (the gradients, their names)."""
    args = dict(args)
    for n in wrt:
        args[n] = args[n].detach().clone().requires_grad_(True)
    params_out: list[torch.nn.Parameter] = []
    names = list(wrt)
    if script.init is not None:  # a module: also its parameters' gradients, by name
        instance = impl.call(impl.obj, cast(script.init, dtype, device), "gradients")
        load_weights(instance, script.weights, dtype, device)
        for n, p in sorted(instance.named_parameters()):
            names.append(n)
            params_out.append(p)
        leaves = [impl.call(instance, args, f"case {script.case}, gradients")]
    else:
        leaves = [impl.call(impl.obj, args, f"case {script.case}, gradients")]
    outs = [t for t in flatten(leaves) if isinstance(t, torch.Tensor) and t.is_floating_point()]
    gen = torch.Generator().manual_seed(seed + 4)
    total = sum((o.nan_to_num(posinf=0.0, neginf=0.0) * noise_like(o.double(), gen, 1.0)).sum() for o in outs)
    inputs = [args[n] for n in wrt] + params_out
    grads = torch.autograd.grad(total, inputs, allow_unused=True)
    return [g if g is not None else torch.zeros_like(x) for g, x in zip(grads, inputs)], names


def time_cuda(fn: Callable[[], Any], repeat: int = 10, warmup: int = 3) -> tuple[float, int]:
    """(median milliseconds over `repeat` runs timed with CUDA events, peak extra bytes allocated)."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    base = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    fn()
    torch.cuda.synchronize()
    peak = torch.cuda.max_memory_allocated() - base
    times = []
    for _ in range(repeat):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return sorted(times)[len(times) // 2], peak


def is_data(value: Any) -> bool:
    """Whether `value` is plain data: tensors, numbers, strings, None, dtypes, and lists, tuples and
    string-keyed dicts of them."""
    if isinstance(value, (torch.Tensor, *SCALARS)):
        return True
    if isinstance(value, (list, tuple)):
        return all(is_data(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_data(v) for k, v in value.items())
    return False


def plain_script(script: Script) -> dict[str, Any]:
    """`script` as plain data (see Session)."""
    steps = None if script.steps is None else [[s.call, s.get, s.raises] for s in script.steps]
    return {"case": script.case, "init": script.init, "weights": script.weights, "steps": steps}


def _script(plain: dict[str, Any]) -> Script:
    steps = None if plain["steps"] is None else tuple(Step(*s) for s in plain["steps"])
    return Script(plain["case"], plain["init"], plain["weights"], steps)


def _leaves(leaves: list[Any]) -> list[Any]:
    """Leaves as plain data: a Raised marker becomes {"raised": its name}."""
    return [{"raised": leaf.name} if isinstance(leaf, Raised) else leaf for leaf in leaves]


class Session:
    """The candidate's entry points and objects, by handle, each with the spy that records its calls.

    Every method takes and returns plain data; a call the candidate failed raises CandidateError, an output
    that cannot be graded BadOutput, parameters that do not fit the question's WeightError."""

    OPS = ("load", "run", "gradients", "half_ops", "first_nonfinite", "construct", "attribute", "invoke",
           "timing", "record", "clear_largest")  # what a grader may ask of a candidate's process

    def __init__(self) -> None:
        self._objects: dict[int, tuple[Any, Spy]] = {}
        self._handles = itertools.count(1)

    def adopt(self, obj: Any, files: list[str], groups: list[str], aten: bool) -> int:
        """A handle for entry point `obj` (defined in `files`), recorded by a new spy over `groups`."""
        return self._keep(obj, Spy(list(groups), set(files), aten))

    def _keep(self, obj: Any, spy: Spy) -> int:
        handle = next(self._handles)
        self._objects[handle] = (obj, spy)
        return handle

    def _impl(self, handle: int) -> tuple[Impl, Spy]:
        obj, spy = self._objects[handle]
        return Impl(obj, spy.call), spy

    def load(self, source: str, filename: str, entry: str, signature: str, groups: list[str], aten: bool) -> int:
        """Import `source` as the file `filename` and adopt its entry point; InvalidCandidate if it cannot be
        graded at all (syntax, import failure, missing entry point or wrong signature)."""
        try:
            obj = entry_point(load_source(source, filename), entry, signature)
        except SyntaxError as exc:
            raise InvalidCandidate(f"syntax error: {exc.msg} (line {exc.lineno})", trim_trace(exc, {filename})) \
                from None
        except InvalidCandidate:
            raise
        except SystemExit as exc:
            raise InvalidCandidate(f"the file called sys.exit({exc.code!r}) while being imported") from None
        except Exception as exc:
            raise InvalidCandidate(f"importing the file raised {type(exc).__name__}: {exc}",
                                   trim_trace(exc, {filename})) from None
        return self.adopt(obj, [filename], groups, aten)

    def run(self, handle: int, script: dict[str, Any], args: Any, dtype: str, device: str) -> list[Any]:
        """The leaves of one case (Impl.run) on `args`."""
        impl, _ = self._impl(handle)
        return _leaves(impl.run(_script(script), args, DTYPES[dtype], device))

    def gradients(self, handle: int, script: dict[str, Any], args: dict[str, Any], wrt: list[str], dtype: str,
                  device: str, seed: int) -> tuple[list[torch.Tensor], list[str]]:
        impl, _ = self._impl(handle)
        return gradients(impl, _script(script), args, wrt, DTYPES[dtype], device, seed)

    def half_ops(self, handle: int, script: dict[str, Any], args: Any, dtype: str, device: str,
                 ops: list[str]) -> list[list[Any]]:
        """The precision-sensitive ops `ops` that gave half-precision results on one case (spy.HalfOps), as
        [op, dtype, file, line, code]."""
        impl, spy = self._impl(handle)
        recorder = HalfOps(ops, spy.files)
        with recorder:
            impl.run(_script(script), args, DTYPES[dtype], device)
        return [[h.op, h.dtype, h.file, h.line, h.code] for h in recorder.found]

    def first_nonfinite(self, handle: int, script: dict[str, Any], args: Any, dtype: str, device: str) -> str | None:
        """The first op that made a NaN or an infinity on one case (spy.FirstNonfinite); None if none did, or
        if the run failed (it tells nothing more)."""
        impl, _ = self._impl(handle)
        mode = FirstNonfinite()
        try:
            with mode:
                impl.run(_script(script), args, DTYPES[dtype], device)
        except Exception:  # noqa: BLE001 - a run under the mode that fails tells nothing more
            return None
        return mode.found

    def construct(self, handle: int, init: dict[str, Any], where: str) -> int:
        """A handle for the object the entry point builds from `init` (a class entry point)."""
        obj, spy = self._objects[handle]
        return self._keep(spy.call(obj, init, f"{where}, constructor"), spy)

    def attribute(self, handle: int, name: str, where: str) -> list[Any]:
        """Attribute `name` of an object: ["method", handle] if callable, else as `invoke` answers."""
        obj, spy = self._objects[handle]
        value = spy.call(lambda: getattr(obj, name), {}, where)
        return ["method", self._keep(value, spy)] if callable(value) else self._answer(value, spy)

    def invoke(self, handle: int, kwargs: dict[str, Any], where: str) -> list[Any]:
        """Call a method or object: ["value", plain data], or ["object", handle] for anything else."""
        obj, spy = self._objects[handle]
        return self._answer(spy.call(obj, kwargs, where), spy)

    def _answer(self, value: Any, spy: Spy) -> list[Any]:
        return ["value", value] if is_data(value) else ["object", self._keep(value, spy)]

    def timing(self, handle: int, args: dict[str, Any]) -> dict[str, Any]:
        """CUDA time and peak memory of calling the entry point on `args` ({"ms", "peak"}), or {"oom": the
        first sentence of the out-of-memory error}."""
        obj, spy = self._objects[handle]
        try:
            ms, peak = time_cuda(lambda: obj(**args))
        except torch.cuda.OutOfMemoryError as exc:  # a result at this size, not a crash
            torch.cuda.empty_cache()
            return {"oom": str(exc).split(". ")[0]}
        except Exception as exc:
            raise CandidateError.of(exc, trim_trace(exc, spy.files)) from None
        return {"ms": ms, "peak": peak}

    def record(self, handle: int) -> dict[str, list[Any]]:
        """What the spy of `handle` recorded: forbidden ops, the largest tensors [numel, op, shape], mutations."""
        rec = self._objects[handle][1].record
        return {"forbidden": list(rec.forbidden), "largest": [[n, op, list(shape)] for n, op, shape in rec.largest],
                "mutations": list(rec.mutations)}

    def clear_largest(self, handle: int) -> None:
        self._objects[handle][1].record.largest.clear()
