"""Each requirement of a coding question's prompt must be enforced: some check it names runs on some case it
names; and the grader enforces nothing the prompt does not say (a forbidden call the prompt never names).
`attnbank check` reports a question with no requirements, one that nothing enforces, or an unstated rule."""

from __future__ import annotations

from .schema import CodingQuestion, Requirement

# checks that look at raise cases only, and checks that take no `cases` parameter (they run on every case)
RAISE_CHECKS = {"raises"}
# what a prompt must name, in both languages, for each forbidden operation
FORBIDDEN_NAMES = {"sdpa": "scaled_dot_product_attention", "mha": "MultiheadAttention", "autograd_grad": "autograd"}


def _runs_on(q: CodingQuestion, check: str, case_id: str) -> bool:
    """Whether `check` runs on case `case_id` of `q`."""
    case = next(c for c in q.coding.cases if c.id == case_id)
    if (check in RAISE_CHECKS) != bool(case.raises):
        return False
    chosen = q.coding.check_params[check].get("cases")
    return not chosen or case_id in chosen


def unenforced(q: CodingQuestion) -> list[str]:
    """One message per problem: no requirements at all, or a requirement none of whose checks runs on any of
    its cases (the schema already guarantees that every name exists)."""
    unstated = [f"forbids {op}, but the prompt ({lang}) never names `{FORBIDDEN_NAMES[op]}`"
                for op in q.coding.forbidden for lang in ("en", "zh") if FORBIDDEN_NAMES[op] not in q.prompt.get(lang)]
    reqs: list[Requirement] = q.coding.requirements
    if not reqs:
        return ["no `requirements:`: list each requirement of the prompt with the cases and checks enforcing it"]
    return unstated + [f"requirement {r.rule!r}: none of {', '.join(r.checks)} runs on {', '.join(r.cases)}"
                       for r in reqs if not any(_runs_on(q, ch, ca) for ch in r.checks for ca in r.cases)]
