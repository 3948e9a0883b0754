"""Naming a failure that only a contract pass in another dtype shows (grader.contract): the right values in
the wrong dtype, float64 outputs computed in float32, a constant too large for float16.
"""

from __future__ import annotations

from typing import Any

import torch

from .diagnose import Diagnosis, _value_cases, wrong_dtype
from .invoke import BadOutput, CandidateError
from .plan import Plan
from .tolerance import leaves_close


def _float32_values(leaf: Any) -> bool:
    """A float64 tensor whose every finite value is a float32 number, and some not an integer."""
    if not isinstance(leaf, torch.Tensor) or leaf.dtype != torch.float64:
        return False
    x = leaf.detach().cpu()
    x = x[torch.isfinite(x)]
    return bool(x.numel()) and torch.equal(x.float().double(), x) and bool((x != x.round()).any())


def _float32_close(got: torch.Tensor, expected: torch.Tensor) -> bool:
    """Within float32's rounding of the oracle (1e-5 of its largest value): the error of float32 arithmetic,
    not of another formula."""
    g, e = got.detach().cpu().double(), expected.detach().cpu().double()
    if g.shape != e.shape or not torch.equal(torch.isfinite(g), torch.isfinite(e)):
        return False
    finite = torch.isfinite(e)
    scale = max(1.0, float(e[finite].abs().max())) if finite.any() else 1.0
    return bool(((g - e).abs()[finite] <= 1e-5 * scale).all())


def float32_inside(plan: Plan, outputs) -> Diagnosis | None:
    """Float64 inputs, float64 outputs that are wrong on some case, and every float output value of every
    case exactly a float32 number within float32's rounding of the oracle: the arithmetic ran in float32 and
    only the result was cast back."""
    cases = _value_cases(plan)
    if plan.dtype != torch.float64 or not cases:
        return None
    wrong = False
    for prep in cases:
        try:
            got = outputs.of(prep)
        except (CandidateError, BadOutput):
            return None
        pairs = [(g, e) for g, e in zip(got, prep.golden) if isinstance(e, torch.Tensor) and e.is_floating_point()]
        if not pairs or not all(_float32_values(g) and _float32_close(g, e) for g, e in pairs):
            return None
        wrong |= not all(leaves_close(g, e, tol) for g, e, tol in zip(got, prep.golden, prep.tols))
    return Diagnosis("float32-inside", {}, len(cases), len(cases)) if wrong else None


def contract_diagnosis(plan: Plan, outputs) -> Diagnosis | None:
    """The diagnosis of a failed contract pass, if one fits."""
    return wrong_dtype(plan, outputs) or float32_inside(plan, outputs)


def overflow_diagnosis(plan: Plan, err: CandidateError) -> Diagnosis | None:
    """A crash of a half-precision pass because a Python constant does not fit the dtype (masked_fill with
    -1e9 in float16: 'value cannot be converted to type c10::Half without overflow')."""
    if plan.dtype not in (torch.float16, torch.bfloat16) or "without overflow" not in err.message:
        return None
    name = str(plan.dtype).replace("torch.", "")
    return Diagnosis("constant-overflows", {"dtype": name, "max": f"{torch.finfo(plan.dtype).max:.5g}"}, 1, 1)
