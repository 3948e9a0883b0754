"""Naming an output whose values are right but whose shape has an axis of size 1 too many or missing (a
`keepdim` kept or dropped, a stray squeeze or unsqueeze). Run only after a check failed.
"""

from __future__ import annotations

import torch

from .diagnose import Diagnosis, _value_cases
from .plan import Plan
from .tolerance import leaves_close


def _without_ones(shape: torch.Size) -> tuple[int, ...]:
    return tuple(n for n in shape if n != 1)


def squeezed_output(plan: Plan, outputs) -> Diagnosis | None:
    """On every value case each leaf right as it is or once reshaped to the oracle's shape, the shapes
    differing only by axes of size 1; some leaf so on some case."""
    cases = _value_cases(plan)
    found: tuple[int, list[int], list[int]] | None = None
    for prep in cases:
        got = outputs.seen(prep)
        if got is None or len(got) != len(prep.golden):
            return None
        for i, (g, e, tol) in enumerate(zip(got, prep.golden, prep.tols)):
            if isinstance(g, torch.Tensor) and isinstance(e, torch.Tensor) and g.shape != e.shape:
                if _without_ones(g.shape) != _without_ones(e.shape) or not leaves_close(g.reshape(e.shape), e, tol):
                    return None
                found = found or (i, list(g.shape), list(e.shape))
            elif not leaves_close(g, e, tol):
                return None
    if found is None:
        return None
    i, got_shape, expected = found
    return Diagnosis("output-squeezed", {"index": str(i), "got": str(got_shape), "expected": str(expected)},
                     len(cases), len(cases))
