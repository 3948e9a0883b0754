"""The bank's fixed vocabularies, defined once (torch- and pydantic-free, so the CLI can use them cheaply)."""

from __future__ import annotations

KINDS = ("concept", "quiz", "coding")
"""Question kinds: the schema's union (grader.schema.Question) has one model per kind, tagged by `kind`."""

DTYPES = ("float64", "float32", "float16", "bfloat16")
"""Grading dtypes, by torch name."""

PARTS = ("mechanism", "applications")
"""The two parts of the bank (Topic.part), in the order the site and `list` show them."""
