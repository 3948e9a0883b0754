"""The input generators of a coding question's cases: how each argument is drawn (randn, masks, ids, literals).

This module imports no torch: grader.inputs turns these specs into tensors.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .schema_base import Strict

Shape = list[int | str]  # coding questions from here on


class Randn(Strict):
    """Standard normal floats of `randn` shape, times `std` (cast to the grading dtype)."""

    randn: Shape
    std: float = 1.0
    softmax: bool = False  # rows of probabilities (softmax over the last axis), e.g. attention weights


class Weight(Strict):
    """A linear weight `[out, in]` drawn like nn.Linear's (uniform, bound 1/sqrt(in))."""

    weight: Shape


class Keep(Strict):
    """A random bool mask (True = may attend); `empty_rows` query rows get no allowed key."""

    keep: Shape
    p: float = Field(default=0.7, gt=0, le=1)
    empty_rows: int = Field(default=0, ge=0)


class Additive(Strict):
    """A float mask added to the scores: a random bias with -inf at blocked positions."""

    additive: Shape
    p: float = Field(default=0.7, gt=0, le=1)
    bias: float = 0.5
    empty_rows: int = Field(default=0, ge=0)  # query rows that are -inf everywhere (no allowed key)


class Padding(Strict):
    """A bool key-padding mask `[B, L]` (True = real token), each row with a random length >= 1."""

    padding: Shape
    true_is: Literal["keep", "pad"] = "keep"
    left: bool = False


class Arange(Strict):
    """Integers start, start+1, ... (int64)."""

    arange: int | str
    start: int | str = 0


class Randint(Strict):
    """Random int64 values in [low, high)."""

    randint: Shape
    low: int | str = 0
    high: int | str


class Const(Strict):
    """A tensor from a literal (nested list); float data is cast to the grading dtype."""

    tensor: list[Any]
    dtype: Literal["float", "int64", "int32", "bool"] = "float"


class ListOf(Strict):
    """A Python list of tensors, one generator each (KV shards on several devices, per-layer weights)."""

    items: list[Generator] = Field(alias="list", min_length=1)


Generator = Randn | Weight | Keep | Additive | Padding | Arange | Randint | Const | ListOf
ListOf.model_rebuild()
ArgValue = Generator | None | bool | int | float | str | list[int | float]
