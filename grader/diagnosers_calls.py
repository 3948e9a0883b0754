"""Generic diagnosers: the reference run with one kind of torch call swapped for the one wrong code often
writes: an activation (ReLU or the tanh approximation where the exact GELU belongs, a hard sigmoid for the
sigmoid, a ReLU or a tanh dropped), a reduction (a sum or a max where the mean belongs), a causal mask's
`tril` (its diagonal off by one, at 0 where queries are aligned bottom-right, `triu` instead), the first two
blocks of a `torch.cat` swapped. Each applies
only to a question whose reference makes that call, every call or only its first or last.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

from .diagnosers import Leaves, Transform, reference_on
from .plan import Plan, Prepared

GELU = {F.gelu}
RELU = {F.relu, torch.relu, torch.Tensor.relu}
TANH = {torch.tanh, torch.Tensor.tanh, F.tanh}
SIGMOID = {torch.sigmoid, torch.Tensor.sigmoid, F.sigmoid}
MEAN = {torch.mean, torch.Tensor.mean}
TRIL = {torch.tril, torch.Tensor.tril}
CAT = {torch.cat, torch.concat, torch.concatenate}
DEFAULTS = {"approximate": "none", "inplace": False}  # the keywords nn.GELU and nn.ReLU pass on

Call = Callable[[Any, tuple, dict], Any]  # (the original function, args, kwargs) -> the changed result


def _unary(new: Callable[[torch.Tensor], torch.Tensor]) -> Call:
    """An activation replaced, where it is called plainly (one tensor, no argument but the DEFAULTS)."""
    def call(func, args, kwargs):
        if len(args) != 1 or any(DEFAULTS.get(k, ...) != v for k, v in kwargs.items()):
            return NotImplemented
        return new(args[0])
    return call


def _reduction(new: Callable) -> Call:
    def call(func, args, kwargs):
        if kwargs.get("dtype") is not None or len(args) > 3:
            return NotImplemented
        return new(*args, **kwargs)
    return call


def _diagonal(change: Callable[[int], int], triu: bool = False) -> Call:
    def call(func, args, kwargs):
        d = kwargs.get("diagonal", args[1] if len(args) > 1 else 0)
        new = change(d)
        if new == d and not triu:
            return NotImplemented
        return (torch.triu if triu else torch.tril)(args[0], diagonal=new)
    return call


def _first_two_swapped(func, args, kwargs):
    parts = args[0] if args else None
    if not isinstance(parts, (list, tuple)) or len(parts) < 2:
        return NotImplemented
    return func([parts[1], parts[0], *parts[2:]], *args[1:], **kwargs)


ACTIVATIONS: dict[str, tuple[set, Call]] = {
    "gelu-as-relu": (GELU, _unary(torch.relu)),
    "gelu-tanh-approximation": (GELU, _unary(lambda x: F.gelu(x, approximate="tanh"))),
    "relu-dropped": (RELU, _unary(lambda x: x)),
    "tanh-dropped": (TANH, _unary(lambda x: x)),
    "sigmoid-as-hard-sigmoid": (SIGMOID, _unary(F.hardsigmoid)),
}
REDUCTIONS: dict[str, tuple[set, Call]] = {
    "mean-as-sum": (MEAN, _reduction(torch.sum)),
    "mean-as-max": (MEAN, _reduction(lambda x, dim=(), keepdim=False: torch.amax(x, dim, keepdim))),
}
DIAGONALS: dict[str, tuple[set, Call]] = {
    "diagonal-plus-one": (TRIL, _diagonal(lambda d: d + 1)),
    "diagonal-minus-one": (TRIL, _diagonal(lambda d: d - 1)),
    "diagonal-zero": (TRIL, _diagonal(lambda d: 0)),
    "triu-for-tril": (TRIL, _diagonal(lambda d: d, triu=True)),
}
CONCATS: dict[str, tuple[set, Call]] = {"cat-first-two-swapped": (CAT, _first_two_swapped)}
WHICH: dict[str, Callable[[int, int], bool]] = {  # which calls, by (call index, number of calls)
    "every": lambda i, n: True, "first": lambda i, n: i == 0, "last": lambda i, n: i == n - 1}


class CallSwap(TorchFunctionMode):
    """Replaces the calls of `calls` that `chosen(index)` picks by `new` (which may decline a call with
    NotImplemented); `calls_made` counts every call of `calls`, `seen` the ones replaced."""

    def __init__(self, calls: set, new: Call, chosen: Callable[[int], bool] = lambda i: True):
        super().__init__()
        self.calls, self.new, self.chosen, self.calls_made, self.seen = calls, new, chosen, 0, 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in self.calls and args and isinstance(args[0], (torch.Tensor, list, tuple)):
            index, self.calls_made = self.calls_made, self.calls_made + 1
            if self.chosen(index):
                out = self.new(func, args, kwargs)
                if out is not NotImplemented:
                    self.seen += 1
                    return out
        return func(*args, **kwargs)


def _swapped(calls: set, new: Call, which: str) -> Callable[[Plan, Prepared], Leaves]:
    def leaves(plan: Plan, prep: Prepared) -> Leaves:
        count = CallSwap(calls, lambda f, a, k: NotImplemented)
        if isinstance(reference_on(plan, prep, prep.inputs, count), str):
            return None
        if which != "every" and count.calls_made < 2:
            return f"one call only: '{which}' is 'every'"
        mode = CallSwap(calls, new, lambda i: WHICH[which](i, count.calls_made))
        out = reference_on(plan, prep, prep.inputs, mode)
        return out if mode.seen else None
    return leaves


def call_transforms(plan: Plan) -> list[Transform]:
    """The activation swaps (every call), then the reductions' and the causal diagonal's (every call, the
    first, the last); a transform leaves a case as is where the reference makes no such call."""
    out = [Transform("activation", {"swap": f"@{name}"}, _swapped(calls, new, "every"))
           for name, (calls, new) in ACTIVATIONS.items()]
    for kind, table in (("reduction-swap", REDUCTIONS), ("causal-diagonal", DIAGONALS), ("concat-order", CONCATS)):
        out += [Transform(kind, {"swap": f"@{name}", "which": f"@swap-{which}"}, _swapped(calls, new, which))
                for name, (calls, new) in table.items() for which in WHICH]
    return out
