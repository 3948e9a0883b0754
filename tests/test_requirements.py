"""Every requirement of a prompt is enforced: some check it names runs on some case it names."""

from __future__ import annotations

from grader.bank import load_bank
from grader.requirements import unenforced
from grader.schema import Requirement


def _with(q, reqs):
    return q.model_copy(update={"coding": q.coding.model_copy(update={"requirements": reqs})})


def test_every_coding_question_enforces_each_requirement():
    bank = load_bank()
    problems = {q.id: unenforced(q) for q in bank.questions if q.kind == "coding"}
    assert len(problems) >= 44
    assert not {k: v for k, v in problems.items() if v}


def test_a_missing_list_and_a_check_that_never_sees_its_case_are_reported():
    q = load_bank().get("rope")
    assert unenforced(_with(q, [])) == [
        "no `requirements:`: list each requirement of the prompt with the cases and checks enforcing it"]
    # properties run only on from-zero and scattered-positions; raises only on the odd-dim case
    blind = [Requirement(rule="relative positions", cases=["decode-chunk"], checks=["properties"]),
             Requirement(rule="odd D raises", cases=["from-zero"], checks=["raises"])]
    assert len(unenforced(_with(q, blind))) == 2
    seen = [Requirement(rule="relative positions", cases=["decode-chunk", "from-zero"], checks=["properties"]),
            Requirement(rule="odd D raises", cases=["odd-dim"], checks=["raises"])]
    assert unenforced(_with(q, seen)) == []


def test_a_forbidden_call_the_prompt_never_names_is_reported():
    q = load_bank().get("causal-attention")
    assert unenforced(q) == []
    silent = q.model_copy(update={"prompt": q.prompt.model_copy(update={"en": "Write causal attention."})})
    assert unenforced(silent) == ["forbids sdpa, but the prompt (en) never names `scaled_dot_product_attention`",
                                  "forbids mha, but the prompt (en) never names `MultiheadAttention`"]
