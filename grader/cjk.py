"""Chinese text in Markdown: a line break between two Chinese characters is dropped, not turned into a space.

The bank wraps its Chinese paragraphs like its English ones, and Markdown renders a soft line break as a
space, which Chinese does not have ("短语、 含糊"). Fenced code blocks are left as they are.
"""

from __future__ import annotations

import re

_CJK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d"
_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")
_FENCE = re.compile(r"(^[ \t]*```.*?^[ \t]*```[^\n]*$)", re.M | re.S)


def join_cjk_lines(text: str) -> str:
    """`text` with every single line break between two Chinese characters (or punctuation) removed."""
    parts = _FENCE.split(text)
    return "".join(part if i % 2 else _BREAK.sub("", part) for i, part in enumerate(parts))
