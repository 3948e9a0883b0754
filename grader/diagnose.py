"""Naming a failure that no known mistake of the question explains, from generic diagnosers.

Two kinds: observations of the candidate's leaves against the oracle (the right values in the wrong dtype;
every row right but those with no allowed key; every value right, but invalid arguments accepted or an
argument modified in place), and the transforms of grader.diagnosers, the
reference run under a named change, compared with the candidate at the tolerance known mistakes are
matched at. A diagnosis must never name the wrong bug, so a transform is named only when it changes the
reference's output and the candidate follows it on every value case, or on all but one of at least four
(then the verdict says on how many). Run only after a check failed.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Any

import torch

from .checks.base import Outputs
from .checks.masking import keep_mask
from .diagnosers import Transform, transforms
from .diagnosers_calls import call_transforms
from .i18n import LANGS, TEXT
from .invoke import BadOutput, CandidateError
from .plan import Plan, Prepared
from .tolerance import distance


@dataclass(frozen=True)
class Diagnosis:
    """A generic diagnosis: its kind, the values its text names, and on how many value cases it held."""

    kind: str
    params: dict[str, str]
    matched: int
    total: int

    @property
    def id(self) -> str:
        return f"generic:{self.kind}"

    def text(self) -> dict[str, Any]:
        """The verdict's diagnosis_text: bilingual title and explanation, and the cases it held on."""
        partial = self.matched < self.total
        # a parameter "@key" is itself a string of the table, in each language
        params = [{k: TEXT[v[1:]][i] if v.startswith("@") else v for k, v in self.params.items()}
                  for i in range(len(LANGS))]
        title = {lang: TEXT[f"{self.kind}_t"][i].format(**params[i])
                 + (TEXT["partial_match"][i].format(matched=self.matched, total=self.total) if partial else "")
                 for i, lang in enumerate(LANGS)}
        explanation = {lang: TEXT[f"{self.kind}_x"][i].format(**params[i]) for i, lang in enumerate(LANGS)}
        return {"title": title, "explanation": explanation, "cases": {"matched": self.matched, "total": self.total}}


def _value_cases(plan: Plan) -> list[Prepared]:
    return [p for p in plan.cases if p.golden]


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")


def wrong_dtype(plan: Plan, outputs: Outputs) -> Diagnosis | None:
    """Every value case right once the outputs are cast to the reference's dtypes, and some leaf is not."""
    cases = _value_cases(plan)
    wrong: tuple[int, torch.dtype, torch.dtype] | None = None
    for prep in cases:
        got = outputs.seen(prep)
        if got is None or len(got) != len(prep.baseline):
            return None
        cast = []
        for i, (g, b) in enumerate(zip(got, prep.baseline)):
            if isinstance(g, torch.Tensor) and isinstance(b, torch.Tensor) and g.dtype != b.dtype:
                wrong = wrong or (i, g.dtype, b.dtype)
                g = g.detach().to(b.dtype)
            cast.append(g)
        if distance(cast, prep.golden, prep) == math.inf:
            return None
    if wrong is None:
        return None
    i, got_dtype, expected = wrong
    return Diagnosis("output-dtype", {"index": str(i), "got": _dtype_name(got_dtype),
                                      "expected": _dtype_name(expected)}, len(cases), len(cases))


def _zero_rows(expected: torch.Tensor) -> torch.Tensor | None:
    """The rows (over the last axis) that are all zero, or all False, in the oracle; None for a scalar."""
    if expected.dim() == 0 or expected.shape[-1] == 0:
        return None
    e = expected.detach().cpu()
    return ~e.any(-1) if e.dtype == torch.bool else (e == 0).all(-1)


def _keyless_queries(plan: Plan, prep: Prepared, lq: int) -> torch.Tensor | None:
    """The query rows with no allowed key under the question's mask (the masked_keys_ignored parameters),
    for an output with `lq` query rows; None without a mask."""
    params = plan.question.coding.check_params.get("masked_keys_ignored") or {}
    name = params.get("mask")
    if not name or prep.is_script or not isinstance(prep.master.get(name), torch.Tensor):
        return None
    keys: dict[str, int] = params.get("keys", {"k": -2, "v": -2})
    key_arg = next(iter(keys))
    try:
        keep = keep_mask(prep.master, params, lq, prep.master[key_arg].shape[keys[key_arg]])
    except (KeyError, IndexError, RuntimeError):
        return None
    return ~keep.any(-1)


def _empty(plan: Plan, prep: Prepared, g: torch.Tensor, e: torch.Tensor) -> torch.Tensor | None:
    """The rows of output `e` that belong to queries with no allowed key: all zero in the oracle, or
    keyless under the question's mask (where a bias makes them non-zero)."""
    rows = _zero_rows(e)
    if rows is None or g.shape != e.shape:
        return None
    keyless = _keyless_queries(plan, prep, e.shape[-2]) if e.dim() >= 2 else None
    if keyless is not None:
        with contextlib.suppress(RuntimeError):  # a leaf without the query axis (per-key weights)
            rows = rows | keyless.expand(rows.shape)
    return None if not rows.any() or rows.all() else rows


def empty_rows(plan: Plan, outputs: Outputs) -> Diagnosis | None:
    """Every row right except some of those whose query has no allowed key (NaN there, or something else
    than the oracle's zeros)."""
    cases = _value_cases(plan)
    nan = other = False
    for prep in cases:
        got = outputs.seen(prep)
        if got is None or len(got) != len(prep.golden):
            return None
        patched = []
        for g, e, tol in zip(got, prep.golden, prep.tols):
            rows = _empty(plan, prep, g, e) if isinstance(e, torch.Tensor) and isinstance(g, torch.Tensor) else None
            if rows is None:
                patched.append(g)
                continue
            g, e = g.detach().cpu(), e.detach().cpu()
            g64 = g.to(torch.float64)
            gap = torch.nan_to_num((g64 - e.to(torch.float64)).abs(), nan=math.inf, posinf=math.inf)
            differ = rows & (gap > tol).any(-1)
            nan_rows = torch.isnan(g64).all(-1)
            nan |= bool((differ & nan_rows).any())
            other |= bool((differ & ~nan_rows).any())
            patched.append(torch.where(rows.unsqueeze(-1), e.to(g.dtype), g))
        if distance(patched, prep.golden, prep) == math.inf:
            return None
    if not (nan or other):
        return None
    return Diagnosis("nan-empty-rows" if nan and not other else "empty-rows-not-zero", {}, len(cases), len(cases))


def _all_values_right(plan: Plan, outputs: Outputs) -> bool:
    cases = _value_cases(plan)
    return bool(cases) and all((got := outputs.seen(p)) is not None and distance(got, p.golden, p) < math.inf
                               for p in cases)


def validation(plan: Plan, outputs: Outputs) -> Diagnosis | None:
    """Every value case right, but invalid arguments accepted, or rejected with another exception than the
    documented one."""
    if not plan.raise_cases or not _all_values_right(plan, outputs):
        return None
    accepted, other = [], []
    for prep in plan.raise_cases:
        want = prep.case.raises
        try:
            outputs.of(prep)
            accepted.append((prep.case.id, want))
        except CandidateError as err:
            if want not in err.lineage:
                other.append((prep.case.id, want, err.name))
        except BadOutput:
            accepted.append((prep.case.id, want))
    if accepted:
        return Diagnosis("accepts-invalid", {"cases": ", ".join(c for c, _ in accepted), "exc": accepted[0][1]},
                         len(accepted), len(accepted))
    if other:
        return Diagnosis("wrong-exception", {"cases": ", ".join(c for c, _, _ in other), "exc": other[0][1],
                                             "got": other[0][2]}, len(other), len(other))
    return None


def mutation(plan: Plan, outputs: Outputs) -> Diagnosis | None:
    """Every value case right, but an argument modified in place."""
    found = outputs.context.candidate.record().mutations
    if not found or not _all_values_right(plan, outputs):
        return None
    arg = found[0].split("`")[1] if found[0].count("`") >= 2 else "?"
    return Diagnosis("mutates-input", {"arg": arg}, 1, 1)


def _follows(plan: Plan, outputs: Outputs, t: Transform, cases: list[Prepared]) -> tuple[int, int] | None:
    """(cases where the candidate follows `t`, cases among them that `t` changes), or None as soon as more
    than the one miss a partial match allows."""
    allowed = 1 if len(cases) >= 4 else 0
    matched = changed = misses = 0
    for prep in cases:
        theirs = t.leaves(plan, prep)
        moved = theirs is not None and distance(theirs, prep.baseline, prep) == math.inf
        got = outputs.seen(prep)
        if got is not None and distance(got, prep.baseline if theirs is None else theirs, prep) < math.inf:
            matched += 1
            changed += moved
        else:
            misses += 1
            if misses > allowed:
                return None
    return matched, changed


EXPRESSIONS = {"scale-factor": {"factor"}, "scale-default": {"value"}}  # parameters that are a scale made of sizes


def followed_transform(plan: Plan, outputs: Outputs) -> Diagnosis | None:
    """The first transform the candidate follows on every value case; else the one it follows on all but one
    (needing at least two cases that the transform changes). Where other transforms of the same kind fit
    every case as well (sizes equal on every case, as `out_dim` and its dim), the name gives each of their
    parameters, joined by " = ": on these cases they are one and the same change. Any other second fit makes
    the name a guess, and nothing is named."""
    cases = _value_cases(plan)
    partial: Diagnosis | None = None
    found: Diagnosis | None = None
    for t in transforms(plan) + call_transforms(plan):
        if found is not None and t.kind != found.kind:
            return found
        follows = _follows(plan, outputs, t, cases)
        if follows is None:
            continue
        matched, changed = follows
        if matched == len(cases) and changed >= 1:
            differ = {k for k, v in found.params.items() if v != t.params.get(k)} if found is not None else set()
            if found is None:
                found = Diagnosis(t.kind, t.params, matched, len(cases))
            elif differ <= EXPRESSIONS.get(t.kind, set()):  # sizes equal on every case: one factor, name both
                found = Diagnosis(t.kind, {k: f"{v} = {t.params[k]}" if k in differ else v
                                           for k, v in found.params.items()}, matched, len(cases))
            elif not (t.kind == "mask-inverted" and "`, `" in t.params["arg"]):  # (all masks inverted, after
                return None  # one that explains it alone); two different changes: the name would be a guess
        elif partial is None and matched < len(cases) and changed >= 2 and found is None:
            partial = Diagnosis(t.kind, t.params, matched, len(cases))
    return found or partial


def generic_diagnosis(plan: Plan, outputs: Outputs) -> Diagnosis | None:
    """The generic diagnosis of a failed candidate that no known mistake explains, if one fits."""
    if not _value_cases(plan):
        return None
    from .diagnose_masks import mask_convention  # these build on this module
    from .diagnose_raises import raises_when
    from .diagnose_shapes import squeezed_output

    return (wrong_dtype(plan, outputs) or squeezed_output(plan, outputs) or mask_convention(plan, outputs)
            or empty_rows(plan, outputs) or validation(plan, outputs) or mutation(plan, outputs)
            or followed_transform(plan, outputs) or raises_when(plan, outputs))
