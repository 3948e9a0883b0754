"""Mutation testing of the bank's checks: the mutant generator, and holes told from equivalent mutants."""

from __future__ import annotations

import ast

from grader.bank import load_bank
from grader.mutant_check import MutantReport, judge_survivors
from grader.mutants import mutants, normalised
from grader.schema import CodingQuestion

SOURCE = '''"""A docstring with 1 + 2 that is never mutated."""
import math


def f(x, scale=None):
    """Nor is this one: a < b."""
    if scale is None:
        scale = 1.0 / math.sqrt(x.shape[-1])
    return (x * scale).sum(dim=-1, keepdim=True) - 2
'''


def test_each_operator_family_appears_once_per_site():
    found = mutants(SOURCE)
    descriptions = {m.description for m in found}
    assert {"Is -> IsNot", "Mult -> Div", "Sub -> Add", "argument dim= dropped", "argument keepdim= dropped",
            "1 -> 0", "2 -> 3", "USub dropped", "operands of Sub swapped", "right term dropped"} <= descriptions
    assert len({m.source for m in found}) == len(found)  # deduplicated
    for m in found:
        ast.parse(m.source)  # every mutant is valid Python
        assert m.source != normalised(SOURCE)


def test_docstrings_and_imports_are_left_alone():
    for m in mutants(SOURCE):
        tree = ast.parse(m.source)
        assert ast.get_docstring(tree) == "A docstring with 1 + 2 that is never mutated."
        assert ast.get_docstring(tree.body[2]) == "Nor is this one: a < b."
        assert isinstance(tree.body[1], ast.Import)


def test_diff_shows_only_the_mutated_line():
    m = next(m for m in mutants(SOURCE) if m.description == "Mult -> Div")
    changed = [line for line in m.diff(normalised(SOURCE)).splitlines() if line[:1] in "+-"]
    assert changed == ["-    return (x * scale).sum(dim=-1, keepdim=True) - 2",
                       "+    return (x / scale).sum(dim=-1, keepdim=True) - 2"]


def test_survivors_are_judged_equivalent_or_holes_on_the_float64_battery():
    bank = load_bank()
    q = bank.get("sdpa")
    assert isinstance(q, CodingQuestion)
    found = mutants((bank.solution_dir(q.id) / "reference.py").read_text(encoding="utf-8"))
    # subtracting the max over every axis instead of each row's is the same softmax: equivalent;
    # dividing by the scale instead of multiplying changes every output: a hole if it ever survived
    same = next(m for m in found if m.description == "argument dim= dropped" and "amax(keepdim=True)" in m.source)
    wrong = next(m for m in found if m.description == "Mult -> Div" and "/ scale" in m.source)
    report = MutantReport(q.id, total=2)
    judge_survivors(bank, q, report, [same, wrong], seed=0)
    assert report.equivalent == [same]
    assert [h.mutant for h in report.holes] == [wrong]
    assert "outputs differ" in report.holes[0].why
    assert report.score == 0.0


def _survivor_report(qid: str, description: str, needle: str) -> tuple[MutantReport, object]:
    bank = load_bank()
    q = bank.get(qid)
    assert isinstance(q, CodingQuestion)
    found = mutants((bank.solution_dir(qid) / "reference.py").read_text(encoding="utf-8"))
    m = next(m for m in found if m.description == description and needle in m.source)
    report = MutantReport(qid, total=1)
    judge_survivors(bank, q, report, [m], seed=0)
    return report, m


def test_a_declared_distribution_equivalent_mutant_is_not_a_hole():
    # mlm-masking draws its random tokens from another 10 % slice of the same uniform draw: same distribution
    report, m = _survivor_report("mlm-masking", "Lt -> Gt", "(action > 0.9)")
    assert [d[0] for d in report.declared] == [m] and not report.holes and report.clean
    assert "same" in report.declared[0][1]


def test_a_declaration_no_survivor_matches_is_stale():
    bank = load_bank()
    q = bank.get("mlm-masking")
    report = MutantReport(q.id, total=0)
    judge_survivors(bank, q, report, [], seed=0)
    assert report.stale and not report.clean


def test_equivalence_allows_the_float64_tolerance_the_question_declares():
    # rope lets angles be computed in float32 (values atol in float64): an int arange promoted to float32 is allowed
    report, m = _survivor_report("rope", "argument dtype= dropped", "torch.arange(half, device=x.device)")
    assert report.equivalent == [m] and not report.holes
