"""Markdown to HTML for the study site: $...$ math to MathML and code highlighting, all at build time.

Raw HTML in the source is never passed through (markdown-it `html=False`), so a question's text
cannot inject markup or script. The renderers are imported on first use: a build whose fragments all come
from the render cache (grader/site_cache.py) never loads them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import cache
from typing import TYPE_CHECKING

from .cjk import join_cjk_lines
from .errors import AttnbankError

MATHML_NS = "{http://www.w3.org/1998/Math/MathML}"
ARITY = {"mfrac": 2, "mroot": 2, "msub": 2, "msup": 2, "msubsup": 3, "munder": 2, "mover": 2, "munderover": 3}
UNKNOWN_COMMAND = re.compile(r">(\\[A-Za-z]+)<")

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


class MarkupError(AttnbankError):
    """Text that cannot be rendered; the message names the file and field."""


class MathError(ValueError):
    """A formula that does not convert to MathML."""

    def __init__(self, tex: str, reason: str):
        self.tex, self.reason = tex, reason
        super().__init__(f"cannot render math '{tex}': {reason}")


def _balanced(tex: str) -> bool:
    depth = 0
    for token in re.findall(r"\\.|[{}]", tex):
        depth += {"{": 1, "}": -1}.get(token, 0)
        if depth < 0:
            return False
    return depth == 0


@cache
def math_to_mathml(tex: str, display: bool) -> str:
    """MathML for one formula; MathError when latex2mathml fails or returns something incomplete.

    latex2mathml is lenient (unknown commands become text, missing arguments are dropped), so the
    source's braces and the output's command names and element arities are checked too.
    """
    from latex2mathml.converter import convert

    if not _balanced(tex):
        raise MathError(tex, "unbalanced braces")
    try:
        html = convert(tex, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many exception types, some without a message
        raise MathError(tex, str(exc) or type(exc).__name__) from None
    if unknown := UNKNOWN_COMMAND.search(html):
        raise MathError(tex, f"unknown command {unknown.group(1)}")
    for el in ET.fromstring(html).iter():
        name = el.tag.removeprefix(MATHML_NS)
        if name in ARITY and len(el) != ARITY[name]:
            raise MathError(tex, f"<{name}> needs {ARITY[name]} arguments, got {len(el)}")
    return html


def highlight_code(code: str, lang: str = "python") -> str:
    """Code as highlighted HTML (`<pre class="hl"><code>...`), coloured by pygments_css()."""
    from pygments import highlight

    formatter, lexer = _formatter(), _lexer(lang)
    return f'<pre class="hl" tabindex="0"><code>{highlight(code, lexer, formatter)}</code></pre>\n'


@cache
def _formatter():
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


@cache
def _lexer(lang: str):
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(lang)
    except ClassNotFound:
        return get_lexer_by_name("text")


def pygments_css() -> str:
    """Colours for highlighted code (WCAG AA contrast): light, and dark under `[data-theme=dark]`."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style="xcode").get_style_defs(".hl")
    dark = HtmlFormatter(style="lightbulb").get_style_defs(":root[data-theme=dark] .hl")
    return f"{light}\n{dark}\n"


def _render_math(content: str, options: dict) -> str:
    return math_to_mathml(content.strip(), bool(options.get("display_mode")))


def _highlight(code: str, lang: str, _attrs: str) -> str:
    return highlight_code(code, lang or "text")


@cache
def _md() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": False, "highlight": _highlight}).enable("table")
    return md.use(dollarmath_plugin, renderer=_render_math, double_inline=True, allow_digits=False)


INLINE_DISPLAY = re.compile(r'<div class="math inline">(<math [^>]*display="block".*?</math>)</div>', re.S)


def render_markdown(text: str, where: str) -> str:
    """HTML for Markdown `text`; MarkupError('<where>: cannot render math ...') on a bad formula.

    Display math may scroll sideways on a phone, so it is made focusable (keyboard users can scroll it).
    `$$...$$` inside a paragraph becomes a span shown as a block: a <div> would end the <p> early.
    """
    try:
        html = _md().render(join_cjk_lines(text))
    except MathError as exc:
        raise MarkupError(f"{where}: {exc}") from None
    html = INLINE_DISPLAY.sub(r'<span class="math display" tabindex="0">\1</span>', html)
    return html.replace('<div class="math block">', '<div class="math block" tabindex="0">')


def render_inline(text: str, where: str) -> str:
    """Like render_markdown, without the enclosing paragraph (for titles, choices, captions)."""
    try:
        return _md().renderInline(join_cjk_lines(text))
    except MathError as exc:
        raise MarkupError(f"{where}: {exc}") from None


PLAIN_DROP = re.compile(r"\\[A-Za-z]+|\\.|[$`*_{}^#>|]")  # every TeX command (\Big, \top, \infty...), then markup


def plain_text(text: str) -> str:
    """Markdown with its markup and TeX commands dropped: what the search index holds."""
    return re.sub(r"\s+", " ", PLAIN_DROP.sub(" ", join_cjk_lines(text))).strip()
