"""Naming a mask builder's output in the wrong convention: an additive float mask where a bool mask is asked
for, or the bool mask with its polarity inverted (True read as blocked).

Both compare the candidate's leaves with the reference's on every value case, leaf by leaf: the bool leaves
under the convention named, every other leaf as it is. Run only after a check failed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from .diagnose import Diagnosis, _value_cases
from .plan import Plan, Prepared
from .tolerance import distance

BLOCKED = -1e4  # an additive mask's fill: -inf, finfo.min, -1e9, -1e4 all lie at or below it


def _bool_leaves(prep: Prepared) -> list[int]:
    return [i for i, b in enumerate(prep.baseline) if isinstance(b, torch.Tensor) and b.dtype == torch.bool]


def _follows(plan: Plan, outputs, bool_leaf: Callable[[torch.Tensor, torch.Tensor], Any]) -> int | None:
    """On how many value cases each bool leaf of the reference passes `bool_leaf(got, expected)` with every
    other leaf right; None unless every other case is right as it is."""
    matched = 0
    for prep in _value_cases(plan):
        got = outputs.seen(prep)
        if got is None or len(got) != len(prep.baseline):
            return None
        if distance(got, prep.golden, prep) < math.inf:
            continue
        index = _bool_leaves(prep)
        patched = list(got)
        for i in index:
            g, b = got[i], prep.baseline[i]
            if not isinstance(g, torch.Tensor) or g.shape != b.shape or not bool_leaf(g.detach().cpu(), b.cpu()):
                return None
            patched[i] = b
        if not index or distance(patched, prep.golden, prep) == math.inf:
            return None
        matched += 1
    return matched


def _additive(got: torch.Tensor, keep: torch.Tensor) -> bool:
    return got.is_floating_point() and bool((got[keep] == 0).all()) and bool((got[~keep] <= BLOCKED).all())


def _inverted(got: torch.Tensor, keep: torch.Tensor) -> bool:
    return got.dtype == torch.bool and torch.equal(got, ~keep)


def mask_convention(plan: Plan, outputs) -> Diagnosis | None:
    """A float mask of 0 (allowed) and a large negative fill (blocked) where the reference returns a bool
    mask, or the reference's bool mask inverted: on every value case, or on some with the others right."""
    total = len(_value_cases(plan))
    for kind, bool_leaf in (("additive-mask-output", _additive), ("mask-output-inverted", _inverted)):
        if matched := _follows(plan, outputs, bool_leaf):
            return Diagnosis(kind, {}, matched, total)
    return None
