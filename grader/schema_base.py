"""The parts every section of the question format shares: the strict base model, the bilingual text, id patterns.

This module imports no torch.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .vocab import DTYPES

KEBAB = r"^[a-z0-9]+(-[a-z0-9]+)*$"
IDENT = r"^[A-Za-z_][A-Za-z0-9_]*$"
Dtype = Literal[DTYPES]  # type: ignore[valid-type]  # the names in grader.vocab.DTYPES
SOURCE_ID = r"^00[0-4]-(Q|I|P)[0-9]+$"  # a source question, as numbered in questions/sources.yaml
CJK = re.compile(r"[\u4e00-\u9fff]")


class Strict(BaseModel):
    """Base for every part of the format: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A human-readable text in both languages (Markdown with $...$ math)."""

    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)

    @field_validator("en", "zh")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("zh")
    @classmethod
    def _is_chinese(cls, value: str) -> str:
        if not CJK.search(value):
            raise ValueError("the zh text contains no Chinese characters")
        return value

    def get(self, lang: str) -> str:
        """The text in `lang` ('en' or 'zh')."""
        return self.zh if lang == "zh" else self.en
