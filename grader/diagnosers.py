"""Generic diagnosers: named transformations of the trusted side that wrong code often behaves like.

Each `Transform` says what the reference outputs on one prepared case under a change the bank's authors
need not have foreseen: an argument substituted (a flag or `scale` ignored, None handled as another value, a
falsy value taken for None), a bool mask inverted, the reference's softmax run over another axis or on
scores off by a factor, feature pairs taken as neighbours instead of halves (RoPE's two layouts). Which
transforms exist for a question follows from its arguments, so every question that fits gets them.
grader.diagnose compares them with the candidate's outputs; nothing here runs on a passing candidate.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import permutations
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from .plan import Plan, Prepared

Leaves = list[Any] | str | None  # output leaves, an error string, or None: the transform leaves this case as is


@dataclass(frozen=True)
class Transform:
    """One named change of the trusted side: `kind` selects the text in grader.i18n, `params` fill it."""

    kind: str
    params: dict[str, str]
    leaves: Callable[[Plan, Prepared], Leaves] = field(compare=False)

    @property
    def id(self) -> str:
        return f"generic:{self.kind}"


def reference_on(plan: Plan, prep: Prepared, args: dict[str, Any], mode: TorchFunctionMode | None = None) -> Leaves:
    """The reference's leaves on `args` (in the grading dtype), under `mode` if given; an error string if it
    raised."""
    try:
        if mode is None:
            return plan.reference.run(prep.script, args, plan.dtype, plan.device)
        with mode:
            return plan.reference.run(prep.script, args, plan.dtype, plan.device)
    except Exception as exc:  # the reference rejecting the changed arguments: this transform cannot explain it
        return f"{type(exc).__name__}: {exc}"


def _single_call(prep: Prepared) -> bool:
    return not prep.is_script and isinstance(prep.inputs, dict)


def _defaults(plan: Plan) -> dict[str, Any]:
    """The reference entry point's parameter defaults (its forward's for a module)."""
    obj = plan.reference.obj
    fn = getattr(obj, "forward", None) if isinstance(obj, type) else obj
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}


def _substitute(name: str, new: Callable[[Any], Any], when: Callable[[Any], bool], default: Any) -> Callable:
    """A transform body: argument `name` (its default where a case leaves it out) replaced by `new(value)`
    on the cases where `when(value)` holds."""
    def leaves(plan: Plan, prep: Prepared) -> Leaves:
        if not _single_call(prep):
            return None
        value = prep.inputs.get(name, default)
        if not when(value):
            return None
        return reference_on(plan, prep, {**prep.inputs, name: new(value)})
    return leaves


BATCH = {"B", "batch", "batch_size"}  # a batch size is never part of a scale


def _sizes(dims: dict[str, int]) -> list[str]:
    return sorted(n for n, v in dims.items() if isinstance(v, int) and v > 1 and n not in BATCH)


def _scale_values(dims: dict[str, int]) -> Iterator[tuple[str, float]]:
    """(expression, value) of the scales code commonly uses by mistake, over the question's dims."""
    yield "1", 1.0
    names = _sizes(dims)
    for n in names:
        yield f"1/{n}", 1.0 / dims[n]
        yield f"1/sqrt({n})", 1.0 / math.sqrt(dims[n])
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            yield f"1/sqrt({a}*{b})", 1.0 / math.sqrt(dims[a] * dims[b])


def _same(a: Any, b: Any) -> bool:
    """Equal and of one type (so that 0, False and 0.0 stay apart)."""
    return type(a) is type(b) and a == b


def _case_dims(plan: Plan, prep: Prepared) -> dict[str, int]:
    """The sizes a scale can be made of on `prep`: its dims, and the integer constructor and call arguments
    (`num_heads`, `d_model`)."""
    given = {**(prep.init or {}), **(prep.inputs if isinstance(prep.inputs, dict) else {})}
    ints = {k: v for k, v in given.items() if isinstance(v, int) and not isinstance(v, bool)}
    return {**plan.question.coding.dims, **prep.case.dims, **ints}


def _all_dims(plan: Plan) -> dict[str, int]:
    """Every size name some value case has (with one of its values)."""
    out: dict[str, int] = {}
    for prep in plan.cases:
        out.update(_case_dims(plan, prep))
    return out


def _scale_default(name: str, expr: str) -> Callable:
    """`scale` None handled as the scale `expr` (evaluated with each case's dims)."""
    def leaves(plan: Plan, prep: Prepared) -> Leaves:
        if not _single_call(prep) or prep.inputs.get(name) is not None:
            return None
        value = dict(_scale_values(_case_dims(plan, prep))).get(expr)
        if value is None:
            return f"{expr} is not defined on this case"
        return reference_on(plan, prep, {**prep.inputs, name: value})
    return leaves


def argument_transforms(plan: Plan) -> list[Transform]:
    """Transforms of the non-tensor arguments: each forced to a value the cases use, None handled as
    another value, a falsy value taken for None; for `scale`, None handled as a common wrong scale."""
    defaults = _defaults(plan)
    seen: dict[str, list[Any]] = {}
    tensors: set[str] = set()
    for prep in plan.cases:
        if not _single_call(prep):
            continue
        for name, value in {**defaults, **prep.inputs}.items():
            if not (value is None or isinstance(value, (bool, int, float))):
                tensors.add(name)
                continue
            values = seen.setdefault(name, [])
            if not any(_same(v, value) for v in values):
                values.append(value)
    out: list[Transform] = []
    for name, values in seen.items():
        if name in tensors:
            continue
        default = defaults.get(name)
        for v in values if len(values) > 1 else []:
            out.append(Transform("argument-ignored", {"arg": name, "value": repr(v)},
                                 _substitute(name, lambda _, v=v: v, lambda x, v=v: not _same(x, v), default)))
        if None in values or default is None:
            if name == "scale":
                out += [Transform("scale-default", {"arg": name, "value": expr}, _scale_default(name, expr))
                        for expr, _ in _scale_values(_all_dims(plan))]
            else:
                for v in dict.fromkeys([0, 1] + [x for x in values if x is not None and not isinstance(x, bool)]):
                    out.append(Transform("none-as-value", {"arg": name, "value": repr(v)},
                                         _substitute(name, lambda _, v=v: v, lambda x: x is None, default)))
            if any(x is not None and not x for x in values):
                out.append(Transform("falsy-as-none", {"arg": name},
                                     _substitute(name, lambda _: None, lambda x: x is not None and not x, default)))
    return out


def mask_transforms(plan: Plan) -> list[Transform]:
    """Each bool tensor argument inverted (`True` read as blocked instead of allowed, or the reverse), and
    all of them at once where there are several; each square one transposed (read as [key, query])."""
    names: list[str] = []
    for prep in plan.cases:
        if _single_call(prep):
            names += [n for n, v in prep.inputs.items() if isinstance(v, torch.Tensor) and v.dtype == torch.bool
                      and n not in names]

    def changed(chosen: list[str], change: Callable[[torch.Tensor], torch.Tensor | None]) -> Callable:
        def leaves(plan: Plan, prep: Prepared) -> Leaves:
            if not _single_call(prep):
                return None
            new = {n: change(m) for n in chosen if isinstance(m := prep.inputs.get(n), torch.Tensor)
                   and m.dtype == torch.bool}
            new = {n: m for n, m in new.items() if m is not None}
            return reference_on(plan, prep, {**prep.inputs, **new}) if new else None
        return leaves

    def transposed(m: torch.Tensor) -> torch.Tensor | None:
        return m.transpose(-1, -2) if m.dim() >= 2 and m.shape[-1] == m.shape[-2] > 1 else None

    out = [Transform("mask-inverted", {"arg": n}, changed([n], torch.logical_not)) for n in names]
    if len(names) > 1:
        out.append(Transform("mask-inverted", {"arg": "`, `".join(names)}, changed(names, torch.logical_not)))
    return out + [Transform("mask-transposed", {"arg": n}, changed([n], transposed)) for n in names]


SOFTMAXES = {torch.softmax, torch.nn.functional.softmax, torch.Tensor.softmax, torch.log_softmax,
             torch.nn.functional.log_softmax, torch.Tensor.log_softmax}
EXPS = {torch.exp, torch.Tensor.exp}  # a hand-written softmax: exp(s - max) / sum
SDPA = torch.nn.functional.scaled_dot_product_attention
REDUCTIONS = {torch.sum, torch.Tensor.sum, torch.amax, torch.Tensor.amax, torch.logsumexp, torch.Tensor.logsumexp}


class ScoreChange(TorchFunctionMode):
    """Changes the softmax of the code run inside it, whether a call of torch's or written by hand: over
    axis `axis` instead of the last (each softmax, and each sum, amax and logsumexp over the last axis),
    or on scores multiplied by `factor` (each softmax's input, each exp's: exp(c (s - max s)) normalised
    is softmax(c s), and the scale of F.scaled_dot_product_attention). `seen` counts the calls it changed."""

    def __init__(self, axis: int | None = None, factor: float = 1.0):
        super().__init__()
        self.axis, self.factor, self.seen = axis, factor, 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        given = kwargs = kwargs or {}
        if func is SDPA and self.factor != 1.0 and args and isinstance(args[0], torch.Tensor):
            self.seen += 1  # PyTorch's own attention: its scale (default 1/sqrt(D)) times the factor
            scale = given.get("scale") or 1 / math.sqrt(args[0].shape[-1])
            return func(*args, **{**given, "scale": scale * self.factor})
        if not args or not isinstance(args[0], torch.Tensor) or func not in SOFTMAXES | EXPS | REDUCTIONS:
            return func(*args, **given)
        x, rest, kwargs = args[0], list(args[1:]), dict(given)
        if func in EXPS:
            if self.factor == 1.0:
                return func(*args, **given)
            self.seen += 1
            return func(x * self.factor, *rest, **kwargs)
        dim = kwargs.pop("dim") if "dim" in kwargs else rest.pop(0) if rest else None
        if not isinstance(dim, int) or (self.axis is None and func in REDUCTIONS):
            return func(*args, **given)
        if self.axis is not None:
            if func in REDUCTIONS and dim % max(x.dim(), 1) != x.dim() - 1:
                return func(x, dim, *rest, **kwargs)
            if not -x.dim() <= self.axis < x.dim() or self.axis % x.dim() == dim % x.dim():
                raise ValueError("no such other axis")
            dim = self.axis
        self.seen += 1
        return func(x * self.factor if func in SOFTMAXES and self.factor != 1.0 else x, dim, *rest, **kwargs)


def _under(make: Callable[[Plan, Prepared], ScoreChange | str]) -> Callable:
    def leaves(plan: Plan, prep: Prepared) -> Leaves:
        mode = make(plan, prep)
        if isinstance(mode, str):
            return mode
        out = reference_on(plan, prep, prep.inputs, mode)
        return out if mode.seen else None
    return leaves


def _by_factor(expr: str) -> Callable[[Plan, Prepared], ScoreChange | str]:
    def make(plan: Plan, prep: Prepared) -> ScoreChange | str:
        factor = dict(_factors(_case_dims(plan, prep))).get(expr)
        return f"{expr} is not defined on this case" if factor is None else ScoreChange(factor=factor)
    return make


def _factors(dims: dict[str, int]) -> Iterator[tuple[str, float]]:
    names = _sizes(dims)
    for n in names:
        yield f"sqrt({n})", math.sqrt(dims[n])
        yield f"1/sqrt({n})", 1 / math.sqrt(dims[n])
    for a, b in permutations(names, 2):
        yield f"sqrt({a}/{b})", math.sqrt(dims[a] / dims[b])


def softmax_transforms(plan: Plan, has_scale_arg: bool) -> list[Transform]:
    """The reference's softmax over each other axis, and (for questions without a `scale` argument, whose
    scale mistakes the argument transforms cover) its scores off by a factor made of the question's dims."""
    out = [Transform("softmax-axis", {"axis": str(a)}, _under(lambda p, q, a=a: ScoreChange(axis=a)))
           for a in (-2, -3, -4, 0, 1)]
    if not has_scale_arg:
        out += [Transform("scale-factor", {"factor": expr}, _under(_by_factor(expr)))
                for expr, _ in _factors(_all_dims(plan))]
    return out


def _pairs_interleaved(plan: Plan, prep: Prepared) -> Leaves:
    """The reference on features paired as neighbours (2i, 2i+1), as Meta's Llama code lays out RoPE, where it
    pairs i with i + D/2: every float argument whose last axis has the output's even size D is read with
    its even features first, and the output is put back in the original order."""
    if not _single_call(prep) or not prep.baseline or not isinstance(prep.baseline[0], torch.Tensor):
        return None
    d = prep.baseline[0].shape[-1] if prep.baseline[0].dim() else 0
    if d < 4 or d % 2:
        return None
    order = torch.cat([torch.arange(0, d, 2), torch.arange(1, d, 2)]).to(plan.device)
    args = {k: v.index_select(-1, order) if isinstance(v, torch.Tensor) and v.is_floating_point() and v.dim()
            and v.shape[-1] == d else v for k, v in prep.inputs.items()}
    if all(args[k] is prep.inputs[k] for k in args):
        return None
    out = reference_on(plan, prep, args)
    if isinstance(out, str):
        return out
    back = torch.argsort(order)
    return [t.index_select(-1, back) if isinstance(t, torch.Tensor) and t.dim() and t.shape[-1] == d else t
            for t in out]


def _weights_transposed(plan: Plan, prep: Prepared) -> Leaves:
    """The reference given every weight matrix (a 2-D float argument named w..., or ...weight) transposed."""
    if not _single_call(prep):
        return None
    names = [k for k, v in prep.inputs.items() if isinstance(v, torch.Tensor) and v.is_floating_point()
             and v.dim() == 2 and (k.lower().startswith("w") or "weight" in k.lower())]
    if not names:
        return None
    return reference_on(plan, prep, {**prep.inputs, **{k: prep.inputs[k].T for k in names}})


class SwapAsReshape(TorchFunctionMode):
    """Replaces the chosen calls `x.transpose(i, i + 1)` (neighbouring axes given as non-negative numbers,
    as the bank's references split and merge heads) by a reshape into the swapped shape, as a `view`
    without the transpose does; `calls` counts every such transpose, `seen` the ones replaced."""

    def __init__(self, chosen: Callable[[int], bool] | None = None):
        super().__init__()
        self.chosen, self.calls, self.seen = chosen, 0, 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func in (torch.Tensor.transpose, torch.transpose) and len(args) == 3 and not kwargs \
                and isinstance(args[0], torch.Tensor) and all(isinstance(a, int) and a >= 0 for a in args[1:]) \
                and abs(args[1] - args[2]) == 1:
            index, self.calls = self.calls, self.calls + 1
            if self.chosen is not None and self.chosen(index):
                self.seen += 1
                shape = list(args[0].shape)
                shape[args[1]], shape[args[2]] = shape[args[2]], shape[args[1]]
                return args[0].reshape(shape)
        return func(*args, **(kwargs or {}))


SWAPS: dict[str, Callable[[int, int], bool]] = {  # which transposes, by (call index, number of calls)
    "every": lambda i, n: True,
    "first": lambda i, n: i == 0,
    "last": lambda i, n: i == n - 1,
    "but-last": lambda i, n: i < n - 1,
    "first-last": lambda i, n: i in (0, n - 1),
    "middle": lambda i, n: 0 < i < n - 1,
}


def _swapped(which: str) -> Callable:
    def leaves(plan: Plan, prep: Prepared) -> Leaves:
        count = SwapAsReshape()
        if isinstance(reference_on(plan, prep, prep.inputs, count), str) or count.calls < (
                1 if which in ("every", "first", "last") else 3):
            return None
        mode = SwapAsReshape(lambda i: SWAPS[which](i, count.calls))
        out = reference_on(plan, prep, prep.inputs, mode)
        return out if mode.seen else None
    return leaves


def transforms(plan: Plan) -> list[Transform]:
    """Every generic transform that applies to the question, in the order a match is preferred."""
    args = argument_transforms(plan)
    has_scale = any(t.params.get("arg") == "scale" for t in args)
    shapes = [Transform("pairs-interleaved", {}, _pairs_interleaved),
              Transform("weights-transposed", {}, _weights_transposed)]
    shapes += [Transform("transpose-as-view", {"which": f"@swap-{which}"}, _swapped(which)) for which in SWAPS]
    return mask_transforms(plan) + args + softmax_transforms(plan, has_scale) + shapes
