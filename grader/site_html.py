"""The study site's bilingual HTML pieces, as template globals: `ui(key)`, `bi(pair, tag)`, `badge(kind, value)`.

Both languages always go into the page, each in an element with its `lang` (the page shows one through CSS,
so switching needs no reload). Written in Python rather than as Jinja macros: a build calls them some fifty
thousand times. Values are escaped unless they are Markup already (rendered Markdown), as autoescape would.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from markupsafe import Markup, escape

from .i18n import TEXT


def bilingual(en: Any, zh: Any, tag: str = "span") -> Markup:
    """`en` and `zh` side by side, each in its own `tag` marked with its language."""
    return Markup(f'<{tag} class="en" lang="en">{escape(en)}</{tag}>'
                  f'<{tag} class="zh" lang="zh-CN">{escape(zh)}</{tag}>')


@cache
def ui(key: str) -> Markup:
    """The interface string `key` of grader/i18n.py in both languages."""
    return bilingual(*TEXT[key])


def bi(pair: Any, tag: str = "span") -> Markup:
    """A question's text in both languages: a Text (`.en`, `.zh`) or a dict of rendered HTML."""
    en, zh = (pair["en"], pair["zh"]) if isinstance(pair, dict) else (pair.en, pair.zh)
    return bilingual(en, zh, tag)


@cache
def badge(kind: str, value: str) -> Markup:
    """A kind or difficulty chip, e.g. badge("diff", "hard")."""
    return Markup(f'<span class="badge {escape(kind)}-{escape(value)}">{ui(value)}</span>')
