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


def float32_inside(plan: Plan, outputs) -> Diagnosis | None:
    """Float64 inputs, float64 outputs that are wrong on some case, and every float output value of every
    case exactly a float32 number: the arithmetic ran in float32 and only the result was cast back."""
    cases = _value_cases(plan)
    if plan.dtype != torch.float64 or not cases:
        return None
    wrong = False
    for prep in cases:
        try:
            got = outputs.of(prep)
        except (CandidateError, BadOutput):
            return None
        floats = [g for g, b in zip(got, prep.baseline) if isinstance(b, torch.Tensor) and b.is_floating_point()]
        if not floats or not all(_float32_values(g) for g in floats):
            return None
        wrong |= not all(leaves_close(g, e, tol) for g, e, tol in zip(got, prep.golden, prep.tols))
    return Diagnosis("float32-inside", {}, len(cases), len(cases)) if wrong else None


def contract_diagnosis(plan: Plan, outputs) -> Diagnosis | None:
    """The diagnosis of a failed contract pass, if one fits."""
    return wrong_dtype(plan, outputs) or float32_inside(plan, outputs)


def overflow_diagnosis(plan: Plan, err: CandidateError) -> Diagnosis | None:
    """A crash of a half-precision pass because a Python constant does not fit the dtype (masked_fill with
    -1e9 in float16: 'value cannot be converted to type c10::Half without overflow')."""
    if plan.dtype not in (torch.float16, torch.bfloat16) or "without overflow" not in str(err.exc):
        return None
    name = str(plan.dtype).replace("torch.", "")
    return Diagnosis("constant-overflows", {"dtype": name, "max": f"{torch.finfo(plan.dtype).max:.5g}"}, 1, 1)
