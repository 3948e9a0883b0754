"""Naming a crash by the inputs it happens on, and a module whose parameters differ from the question's.

A candidate that raises on some value cases and runs on the others usually assumes something the prompt does
not promise: two sizes equal (a missing transpose or unsqueeze lines up only when they are), a batch of one,
an optional argument always given, a mask of one dtype, inputs of one rank. The condition is named only when
exactly one simple condition of the kind the exception points to (a shape error, a None, a dtype) holds on
precisely the cases that raised, so the name is an observation and never a guess.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch

from .diagnose import Diagnosis, _value_cases
from .diagnosers import BATCH, _case_dims, _same, _single_call
from .invoke import CandidateError
from .plan import Plan, Prepared
from .tolerance import distance


@dataclass(frozen=True)
class Condition:
    """A simple condition on a case: its kind (the exceptions it can explain), its text and negation, whether
    it may be named negated, and the sizes an error message about it would print."""

    kind: str
    text: str
    negation: str
    holds: Callable[[Plan, Prepared], bool]
    sizes: Callable[[Plan, Prepared], tuple[int, ...]] = lambda pl, p: ()
    negatable: bool = True


def _dims(plan: Plan, prep: Prepared) -> dict[str, int]:
    return {k: v for k, v in _case_dims(plan, prep).items() if isinstance(v, int) and not isinstance(v, bool)}


def _size_conditions(plan: Plan, cases: list[Prepared]) -> Iterator[Condition]:
    """Two sizes equal (never a batch size: one equal to another size is a coincidence of the cases), and
    a batch of one."""
    names = sorted({n for p in cases for n in _dims(plan, p)})
    for i, a in enumerate(names):
        if a in BATCH:
            yield Condition("shape", f"{a} == 1", f"{a} > 1", lambda pl, p, a=a: _dims(pl, p).get(a) == 1,
                            lambda pl, p, a=a: (_dims(pl, p)[a],))
            continue
        for b in (b for b in names[i + 1:] if b not in BATCH):
            yield Condition("shape", f"{a} == {b}", f"{a} != {b}",
                            lambda pl, p, a=a, b=b: _dims(pl, p).get(a, -1) == _dims(pl, p).get(b, -2),
                            lambda pl, p, a=a, b=b: (_dims(pl, p).get(a, -1), _dims(pl, p).get(b, -1)))


def _argument_conditions(cases: list[Prepared]) -> Iterator[Condition]:
    """An argument None, a tensor argument of one dtype, the first tensor argument of one rank, a flag or
    string argument of one value."""
    args = list(dict.fromkeys(n for p in cases for n in p.inputs))
    first = next((n for n in args if all(isinstance(p.inputs.get(n), torch.Tensor) for p in cases)), None)
    for n in args:
        values = [p.inputs.get(n) for p in cases]
        yield Condition("none", f"`{n}` is None", f"`{n}` is given", lambda pl, p, n=n: p.inputs.get(n) is None)
        if all(isinstance(t, torch.Tensor) for t in values):
            for d in sorted({str(t.dtype) for t in values}):
                yield Condition("dtype", f"`{n}` is {d.replace('torch.', '')}", "", negatable=False,
                                holds=lambda pl, p, n=n, d=d: str(p.inputs[n].dtype) == d)
        if n == first:
            for r in sorted({t.dim() for t in values}):
                yield Condition("shape", f"`{n}` has {r} dimensions", "", negatable=False,
                                holds=lambda pl, p, n=n, r=r: p.inputs[n].dim() == r, sizes=lambda pl, p, r=r: (r,))
        for v in {v for v in values if isinstance(v, (bool, str))}:
            yield Condition("value", f"`{n}={v!r}`", "", negatable=False,
                            holds=lambda pl, p, n=n, v=v: _same(p.inputs.get(n), v))


def _kind(err: CandidateError) -> str:
    """Which kind of condition the candidate's exception points to."""
    text = err.message
    if "NoneType" in text:
        return "none"
    if {"TypeError", "RuntimeError"} & set(err.lineage) and ("bool" in text or "dtype" in text
                                                             or "scalar type" in text):
        return "dtype"
    return "shape"


def _fits(conds: list[Condition], plan: Plan, cases: list[Prepared], hit: list[bool]) -> list[tuple[str, Condition]]:
    """(text, condition) of each condition that holds on exactly the cases hit (or, negated, on the others)."""
    out = []
    for c in conds:
        truth = [c.holds(plan, p) for p in cases]
        if truth == hit:
            out.append((c.text, c))
        elif c.negatable and all(t != h for t, h in zip(truth, hit)):
            out.append((c.negation, c))
    return out


def _supported(text: str, c: Condition, plan: Plan, raised: list[Prepared], errors: dict[str, CandidateError]) -> bool:
    """Whether every error message says what the condition does: an argument None ('NoneType'), its dtype
    by name, or (a shape error) the condition's sizes on its case."""
    messages = {p.case.id: errors[p.case.id].message for p in raised}
    if c.kind == "none":
        return text.endswith(" is None")
    if c.kind == "dtype":
        return all(text.rsplit(" ", 1)[-1] in m for m in messages.values())
    return all(c.sizes(plan, p) and set(c.sizes(plan, p)) <= {int(x) for x in re.findall(r"\d+", messages[p.case.id])}
               for p in raised)


def _condition(plan: Plan, cases: list[Prepared], errors: dict[str, CandidateError]) -> str | None:
    """The one condition of the first exception's kind that separates the cases raised on from the others:
    alone, or (shape errors) after an argument condition that singles out the cases where the shape matters.
    Where several fit, the one the messages print the sizes of; a condition found with a single case on
    one side must be supported so."""
    kind = _kind(next(iter(errors.values())))
    hit = [p.case.id in errors for p in cases]
    raised = [p for p in cases if p.case.id in errors]
    conds = [c for c in [*_size_conditions(plan, cases), *_argument_conditions(cases)] if c.kind == kind]
    fits = _fits(conds, plan, cases, hit)
    narrowed = False
    if not fits and kind == "shape":  # e.g. a mask given and Lq != Lk
        for g in (g for g in _argument_conditions(cases) if g.kind in ("none", "value")):
            for text in (g.text, g.negation) if g.negatable else (g.text,):
                inside = [p for p in cases if g.holds(plan, p) == (text == g.text)]
                if all(p.case.id not in errors for p in cases if p not in inside) and len(inside) < len(cases):
                    found = _fits(conds, plan, inside, [p.case.id in errors for p in inside])
                    fits += [(f"{text} and {t}", c) for t, c in found]
        narrowed = True
    supported = [(t, c) for t, c in fits if _supported(t, c, plan, raised, errors)]
    if len(supported) == 1:
        return _direction(*supported[0], plan, raised)
    if len(fits) == 1 and not narrowed and min(len(raised), len(cases) - len(raised)) >= 2:
        return _direction(*fits[0], plan, raised)
    return None


def _direction(text: str, c: Condition, plan: Plan, raised: list[Prepared]) -> str:
    """`a != b` as `a > b` (or `a < b`) where every case raised on has it that way: no more than was seen."""
    if " != " not in text:
        return text
    signs = {(a > b) - (a < b) for a, b in (c.sizes(plan, p) for p in raised)}
    return text.replace(" != ", " > ") if signs == {1} else text.replace(" != ", " < ") if signs == {-1} else text


def raises_when(plan: Plan, outputs) -> Diagnosis | None:
    """The one condition that holds on exactly the value cases the candidate raised on (some but not all),
    and whether its outputs are right on the others."""
    cases = [p for p in _value_cases(plan) if _single_call(p)]
    errors: dict[str, CandidateError] = {}
    for prep in cases:
        try:
            outputs.of(prep)
        except CandidateError as err:
            errors[prep.case.id] = err
        except Exception:  # noqa: BLE001 - an unusable output is not a crash this can name
            return None
    if not errors or len(errors) == len(cases):
        return None
    cond = _condition(plan, cases, errors)
    if cond is None:
        return None
    right = all(distance(outputs.seen(p) or [], p.golden, p) < math.inf for p in cases if p.case.id not in errors)
    first = next(iter(errors.values()))
    exc = f"{first.name}: {first.message}".splitlines()[0][:160]
    return Diagnosis("raises-when", {"cond": cond, "exc": exc, "n": str(len(errors)), "total": str(len(cases)),
                                     "rest": "@raises-rest-right" if right else "@raises-rest-wrong"},
                     len(cases), len(cases))


NAMES = re.compile(r"parameter names differ from the question's: (?:missing ([^;]+))?(?:; )?(?:unexpected (.+))?$")
SHAPE = re.compile(r"parameter (`[^`]+`) has shape (\[[^\]]*\]), expected (\[[^\]]*\])$")


def parameters_differ(message: str) -> Diagnosis | None:
    """A module whose parameters differ from the question's, from the message of the weight loading that
    failed: names missing or unexpected, or a shape."""
    if m := NAMES.match(message):
        missing, extra = (", ".join(f"`{n.strip()}`" for n in g.split(",")) if g else "" for g in m.groups())
        kind = "differ" if missing and extra else "missing" if missing else "unexpected"
        return Diagnosis(f"parameters-{kind}", {"missing": missing, "extra": extra}, 1, 1)
    if m := SHAPE.match(message):
        return Diagnosis("parameter-shape", dict(zip(("name", "got", "expected"), m.groups())), 1, 1)
    return None
