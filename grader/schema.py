"""The question format: pydantic models for one YAML file, and the JSON Schema they publish.

This module imports no torch, so loading and listing the bank stays fast.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, model_validator

from .schema_base import CJK, IDENT, KEBAB, SOURCE_ID, Dtype, Strict, Text  # noqa: F401  (CJK re-exported)
from .schema_inputs import ArgValue
from .vocab import DTYPES


class Paper(Strict):
    """A cited work: title and year (authors optional)."""

    title: str = Field(min_length=1)
    year: int = Field(ge=1950, le=2100)
    authors: str | None = None


FigureKind = Literal["causal", "causal-bottom-right", "padding", "padding-causal", "left-padding-causal",
                     "sliding-window", "local", "dilated", "sink-window", "local-global", "chunked", "document",
                     "prefix", "block", "gqa", "tree", "paged"]
FIGURE_NEEDS: dict[str, tuple[str, ...]] = {  # the data fields each kind needs (and the only ones it takes)
    "causal": ("lq", "lk"),
    "causal-bottom-right": ("lq", "lk"),
    "padding": ("lengths", "lk"),
    "padding-causal": ("lengths", "lk"),
    "left-padding-causal": ("lengths", "lk"),
    "sliding-window": ("lq", "lk", "window"),
    "local": ("lq", "lk", "window"),
    "dilated": ("lq", "lk", "window", "dilation"),
    "sink-window": ("lq", "lk", "window", "sinks"),
    "local-global": ("lk", "window", "globals"),
    "chunked": ("lk", "chunk", "left_chunks"),
    "document": ("lengths", "lk"),
    "prefix": ("lk", "prefix"),
    "block": ("lq", "lk", "block"),
    "gqa": ("hq", "hkv"),
    "tree": ("parents",),
    "paged": ("lengths", "block", "table"),
}
FIGURE_DATA = ("lq", "lk", "window", "dilation", "sinks", "globals", "chunk", "left_chunks", "prefix", "block",
               "lengths", "hq", "hkv", "parents", "table")
FigureSize = Annotated[int, Field(ge=1, le=64)]
BOTTOM_RIGHT = ("causal-bottom-right", "sliding-window", "local", "dilated", "sink-window", "block")


class Figure(Strict):
    """A picture the site draws from data, as inline SVG (mask cells: True = the query may attend).

    Masks whose queries are the last lq of lk positions (bottom-right: query i sits at p = lk - lq + i)
    need lq <= lk.
    - causal: top-left aligned (PyTorch's `is_causal`): query i sees keys 0..i. Needs lq, lk.
    - causal-bottom-right: the attnbank convention: query i sees keys 0..p. Needs lq, lk.
    - padding: one key-padding mask per sequence, `lengths` real tokens out of lk. Needs lengths, lk.
    - padding-causal / left-padding-causal: per sequence, causal (lq = lk) and key padding on the right /
      on the left; a padding query row is marked as discarded. Needs lengths, lk.
    - sliding-window: bottom-right causal, each query sees its last `window` keys (p - window < j <= p).
    - local: the non-causal band |p - j| < window. Needs lq, lk, window.
    - dilated: causal, the keys p, p - dilation, ... (`window` of them). Needs lq, lk, window, dilation.
    - sink-window: a sliding window plus the first `sinks` keys (StreamingLLM). Needs lq, lk, window, sinks.
    - local-global: lk x lk, the band |i - j| < window plus `globals` global tokens (the first ones) that
      see and are seen by every token (Longformer). Needs lk, window, globals.
    - chunked: lk frames in chunks of `chunk`; a frame sees its whole chunk and `left_chunks` earlier
      chunks (-1: all of them). Needs lk, chunk, left_chunks.
    - document: documents of `lengths` packed into lk tokens, causal inside each, nothing across; the
      tokens after them are padding. Needs lengths, lk.
    - prefix: a prefix LM, bidirectional over the first `prefix` tokens, causal after. Needs lk, prefix.
    - block: the bottom-right causal mask cut into block x block tiles, each full, partial (masked
      inside) or skipped, as a tiled kernel (FlashAttention) sees it. Needs lq, lk, block.
    - gqa: hq query heads sharing hkv key/value heads (hq a multiple of hkv). Needs hq, hkv.
    - tree: a token tree for speculative decoding; `parents[i]` is the parent of node i (node 0 is
      the root with parent -1; parents come before their children); node i sees itself and its
      ancestors. Needs parents.
    - paged: a paged KV cache; sequence b has `lengths[b]` tokens in blocks of `block` slots, and
      `table[b]` lists the physical block of each of its logical blocks (a block listed by several
      sequences is shared, as prefix caching does). Needs lengths, block, table.
    """

    kind: FigureKind
    caption: Text
    lq: FigureSize | None = None
    lk: FigureSize | None = None
    window: FigureSize | None = None
    dilation: FigureSize | None = None
    sinks: FigureSize | None = None
    globals: FigureSize | None = None
    chunk: FigureSize | None = None
    left_chunks: Annotated[int, Field(ge=-1, le=64)] | None = None
    prefix: Annotated[int, Field(ge=0, le=64)] | None = None
    block: FigureSize | None = None
    lengths: list[FigureSize] | None = Field(default=None, min_length=1, max_length=8)
    hq: FigureSize | None = None
    hkv: FigureSize | None = None
    parents: list[int] | None = Field(default=None, min_length=1, max_length=32)
    table: list[list[Annotated[int, Field(ge=0, le=31)]]] | None = Field(default=None, min_length=1, max_length=8)

    @model_validator(mode="after")
    def _fields_match_kind(self) -> Figure:
        needs = FIGURE_NEEDS[self.kind]
        given = [name for name in FIGURE_DATA if getattr(self, name) is not None]
        if missing := [name for name in needs if name not in given]:
            raise ValueError(f"a {self.kind} figure needs {', '.join(missing)}")
        if extra := [name for name in given if name not in needs]:
            raise ValueError(f"a {self.kind} figure does not take {', '.join(extra)}")
        if self.kind in BOTTOM_RIGHT and self.lq > self.lk:
            raise ValueError("bottom-right causal alignment needs lq <= lk")
        if self.kind in ("padding", "padding-causal", "left-padding-causal") and max(self.lengths) > self.lk:
            raise ValueError("every length must be <= lk")
        if self.kind == "document" and sum(self.lengths) > self.lk:
            raise ValueError("the documents' lengths must add up to <= lk")
        if self.kind in ("prefix", "local-global") and (self.prefix or self.globals or 0) > self.lk:
            raise ValueError("prefix and globals must be <= lk")
        if self.kind == "gqa" and self.hq % self.hkv:
            raise ValueError("hq must be a multiple of hkv")
        if self.kind == "tree" and (self.parents[0] != -1
                                    or any(not 0 <= p < i for i, p in enumerate(self.parents) if i)):
            raise ValueError("parents[0] must be -1 (the root) and every other parent an earlier node")
        if self.kind == "paged" and (len(self.table) != len(self.lengths) or any(
                len(row) != -(-n // self.block) for row, n in zip(self.table, self.lengths))):
            raise ValueError("table needs one row per sequence, with one block id per block of its lengths")
        return self


class QuestionBase(Strict):
    format_version: Literal[1] = 1
    id: str = Field(pattern=KEBAB)
    topic: str = Field(pattern=KEBAB)
    tags: list[Annotated[str, Field(pattern=KEBAB)]] = Field(min_length=1)
    difficulty: Literal["easy", "medium", "hard"]
    title: Text
    prompt: Text
    answer: Text
    pitfalls: list[Text] = Field(default_factory=list)
    follow_ups: list[Text] = Field(default_factory=list)
    references: list[Paper] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)  # drawn by the study site
    covers: list[Annotated[str, Field(pattern=SOURCE_ID)]] = Field(default_factory=list)  # source questions answered


class ConceptQuestion(QuestionBase):
    """A question answered in words; practised as a flash card."""

    kind: Literal["concept"]


class Choice(Strict):
    text: Text
    correct: bool = False
    why: Text  # why this choice is right, or what is wrong with it


class ChoiceQuiz(Strict):
    type: Literal["choice"]
    choices: list[Choice] = Field(min_length=2)

    @model_validator(mode="after")
    def _one_correct(self) -> ChoiceQuiz:
        if not any(c.correct for c in self.choices):
            raise ValueError("at least one choice must be correct")
        return self

    @property
    def multiple(self) -> bool:
        """True when more than one choice is correct (the reader must pick all)."""
        return sum(c.correct for c in self.choices) > 1


class NumericQuiz(Strict):
    type: Literal["numeric"]
    value: float
    rel_tol: float = Field(default=0.01, ge=0, le=1)
    unit: str | None = None

    def accepts(self, answer: float) -> bool:
        """Whether `answer` is within the relative tolerance of the value."""
        return abs(answer - self.value) <= self.rel_tol * max(abs(self.value), 1e-12)


class QuizQuestion(QuestionBase):
    """Multiple choice (one or several correct) or a numeric answer with a tolerance."""

    kind: Literal["quiz"]
    quiz: Annotated[ChoiceQuiz | NumericQuiz, Field(discriminator="type")]




class Step(Strict):
    """One call in a scripted (stateful) case: a method call or an attribute read."""

    call: str | None = Field(default=None, pattern=IDENT)
    get: str | None = Field(default=None, pattern=IDENT)
    args: dict[str, ArgValue] = Field(default_factory=dict)
    raises: str | None = Field(default=None, pattern=IDENT)

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        if (self.call is None) == (self.get is None):
            raise ValueError("a step has exactly one of `call` and `get`")
        return self


class Case(Strict):
    """One seeded input set: a single call (`args`) or a script of calls (`steps`)."""

    id: str = Field(pattern=KEBAB)
    dims: dict[str, int] = Field(default_factory=dict)
    init: dict[str, ArgValue] | None = None
    args: dict[str, ArgValue] | None = None
    steps: list[Step] | None = None
    raises: str | None = Field(default=None, pattern=IDENT)
    dtypes: list[Dtype] | None = None  # restrict the case to these grading dtypes

    @model_validator(mode="after")
    def _args_or_steps(self) -> Case:
        if (self.args is None) == (self.steps is None):
            raise ValueError("a case has exactly one of `args` and `steps`")
        if self.steps is not None and self.init is None:
            raise ValueError("a scripted case (`steps`) needs `init`: it drives a class")
        return self


class Patch(Strict):
    """Replace the single occurrence of `find` in the reference's source with `replace`."""

    find: str = Field(min_length=1)
    replace: str


class Mistake(Strict):
    """A known-wrong variant of the reference, named when a candidate behaves like it."""

    id: str = Field(pattern=KEBAB)
    title: Text
    explanation: Text
    caught_by: str = Field(pattern=r"^[a-z_]+$")
    patch: list[Patch] | None = None
    file: str | None = None  # a whole wrong file under solutions/<question id>/

    @model_validator(mode="after")
    def _patch_or_file(self) -> Mistake:
        if (self.patch is None) == (self.file is None):
            raise ValueError("a mistake has exactly one of `patch` and `file`")
        return self


CheckItem = str | dict[str, dict[str, Any]]


class Requirement(Strict):
    """One requirement of the prompt and the cases and checks that fail without it."""

    rule: str = Field(min_length=1)
    cases: list[Annotated[str, Field(pattern=KEBAB)]] = Field(min_length=1)
    checks: list[Annotated[str, Field(pattern=r"^[a-z_]+$")]] = Field(min_length=1)


class EquivalentMutant(Strict):
    """A mutant of the reference declared equivalent (`check --mutants` stops calling it a hole): one that
    differs on every seed yet draws from the same distribution, which no test could call wrong."""

    line: str = Field(min_length=1)  # the mutated line, as the mutant's diff writes it (stripped)
    why: str = Field(min_length=1)


class Hint(Text):
    """A hint; `checks` names the checks whose failure it helps with (watch shows the best-fitting hint first)."""

    checks: list[Annotated[str, Field(pattern=r"^[a-z_]+$")]] = Field(default_factory=list)


class CodingSpec(Strict):
    entry_point: str = Field(pattern=IDENT)
    signature: str = Field(min_length=1)
    starter: str = Field(min_length=1)
    hints: list[Hint] = Field(min_length=1)
    alternatives: list[str] = Field(default_factory=list)
    forbidden: list[Literal["sdpa", "mha", "autograd_grad"]] = Field(default_factory=list)
    dtypes: list[Dtype] = Field(default_factory=lambda: list(DTYPES))
    timeout: float = Field(default=20.0, gt=0, le=300)
    dims: dict[str, int] = Field(default_factory=dict)
    cases: list[Case] = Field(min_length=1)
    checks: list[CheckItem] = Field(min_length=1)
    mistakes: list[Mistake] = Field(default_factory=list)
    cpu_env: dict[str, str] = Field(default_factory=dict)  # environment for CPU grading (TRITON_INTERPRET=1)
    requires: list[str] = Field(default_factory=list)  # Python modules grading needs beyond torch (triton)
    requirements: list[Requirement] = Field(default_factory=list)  # each sentence of the prompt, enforced
    equivalent_mutants: list[EquivalentMutant] = Field(default_factory=list)

    @model_validator(mode="after")
    def _requirements_name_real_cases_and_checks(self) -> CodingSpec:
        case_ids = {case.id for case in self.cases}
        for i, req in enumerate(self.requirements):
            if unknown := [c for c in req.cases if c not in case_ids]:
                raise ValueError(f"requirements[{i}]: no case {', '.join(unknown)}")
            if unknown := [c for c in req.checks if c not in self.check_params]:
                raise ValueError(f"requirements[{i}]: the question does not run {', '.join(unknown)}")
        return self

    @property
    def check_params(self) -> dict[str, dict[str, Any]]:
        """The checks this question runs, by name, with their parameters."""
        out: dict[str, dict[str, Any]] = {}
        for item in self.checks:
            if isinstance(item, str):
                out[item] = {}
            else:
                out.update({name: dict(params or {}) for name, params in item.items()})
        return out


class CodingQuestion(QuestionBase):
    """An implementation task graded by running the candidate's code."""

    kind: Literal["coding"]
    coding: CodingSpec


Question = Annotated[ConceptQuestion | QuizQuestion | CodingQuestion, Field(discriminator="kind")]
QUESTION_ADAPTER: TypeAdapter[Any] = TypeAdapter(Question)


class Topic(Strict):
    id: str = Field(pattern=KEBAB)
    part: Literal["mechanism", "applications"] = "mechanism"  # the site and `list` show applications second
    name: Text
    scope: Text


class TopicsFile(Strict):
    topics: list[Topic] = Field(min_length=1)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a question file, as published in questions/schema.json."""
    schema = QUESTION_ADAPTER.json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "attnbank question"
    return schema
