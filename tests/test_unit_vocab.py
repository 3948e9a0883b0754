"""One registry of kinds, one list of dtypes, one string table, and titles printed as text, not markup."""

from __future__ import annotations

import re
import typing

from rich.console import Console

from grader import i18n, schema, vocab
from grader.inputs import DTYPES


def test_the_schema_has_one_model_per_kind() -> None:
    union = typing.get_args(typing.get_args(schema.Question)[0])
    kinds = {typing.get_args(m.model_fields["kind"].annotation)[0] for m in union}
    assert kinds == set(vocab.KINDS)


def test_dtypes_are_listed_once() -> None:
    assert typing.get_args(schema.Dtype) == vocab.DTYPES == tuple(DTYPES)
    assert all(str(DTYPES[n]) == f"torch.{n}" for n in vocab.DTYPES)


def test_every_string_has_both_languages_and_the_same_placeholders() -> None:
    for key, (en, zh) in i18n.TEXT.items():
        assert en.strip() and zh.strip(), key
        assert set(re.findall(r"\{(\w*)\}", en)) == set(re.findall(r"\{(\w*)\}", zh)), key
    assert i18n.strings("zh")["answer"] == "参考答案" and i18n.strings("en")["answer"] == "Model answer"


def test_titles_are_not_parsed_as_markup(bank) -> None:
    from grader.render_terminal import show_question

    q = bank.get("sdpa")
    q = q.model_copy(update={"title": q.title.model_copy(update={"en": "shapes [b, l] to [b, h]"})})
    console = Console(record=True, width=200)
    show_question(q, console, "en", answer=True)
    assert "shapes [b, l] to [b, h]" in console.export_text()
