"""Generic diagnosers: the reference run with one of its activations swapped for the one wrong code often
uses (ReLU or the tanh approximation where the exact GELU belongs, a hard sigmoid for the sigmoid) or
dropped (a ReLU, a tanh). Each applies only to a question whose reference calls that activation.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

from .diagnosers import Leaves, Transform, reference_on
from .plan import Plan, Prepared

GELU = {F.gelu}
RELU = {F.relu, torch.relu, torch.Tensor.relu}
TANH = {torch.tanh, torch.Tensor.tanh, F.tanh}
SIGMOID = {torch.sigmoid, torch.Tensor.sigmoid, F.sigmoid}

SWAPS: dict[str, tuple[set, Callable[[torch.Tensor], torch.Tensor]]] = {  # name: (calls replaced, replacement)
    "gelu-as-relu": (GELU, torch.relu),
    "gelu-tanh-approximation": (GELU, lambda x: F.gelu(x, approximate="tanh")),
    "relu-dropped": (RELU, lambda x: x),
    "tanh-dropped": (TANH, lambda x: x),
    "sigmoid-as-hard-sigmoid": (SIGMOID, F.hardsigmoid),
}


DEFAULTS = {"approximate": "none", "inplace": False}  # the keywords nn.GELU and nn.ReLU pass on


class ActivationSwap(TorchFunctionMode):
    """Replaces every call of the activations `calls` (on a tensor, with no argument but the DEFAULTS) by
    `new`; `seen` counts them."""

    def __init__(self, calls: set, new: Callable[[torch.Tensor], torch.Tensor]):
        super().__init__()
        self.calls, self.new, self.seen = calls, new, 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        plain = len(args) == 1 and all(DEFAULTS.get(k, ...) == v for k, v in kwargs.items())
        if func in self.calls and plain and isinstance(args[0], torch.Tensor):
            self.seen += 1
            return self.new(args[0])
        return func(*args, **kwargs)


def _swapped(name: str) -> Callable[[Plan, Prepared], Leaves]:
    def leaves(plan: Plan, prep: Prepared) -> Leaves:
        mode = ActivationSwap(*SWAPS[name])
        out = reference_on(plan, prep, prep.inputs, mode)
        return out if mode.seen else None
    return leaves


def activation_transforms(plan: Plan) -> list[Transform]:
    """One transform per activation swap (each leaves a case as is where the reference never calls it)."""
    return [Transform("activation", {"swap": f"@{name}"}, _swapped(name)) for name in SWAPS]
