"""Chinese paragraphs wrapped in the YAML read without stray spaces, on the site and in the terminal."""

from __future__ import annotations

from rich.console import Console

from grader.cjk import join_cjk_lines
from grader.markup import plain_text, render_markdown
from grader.render_terminal import markdown

WRAPPED = ("跳词、重复某个短语、\n含糊不清，或者停不下来。\nEnglish words\nstay apart.\n\n第二段\n\n"
           "```python\nx = 1  # 中\n# 文\n```\n")


def test_breaks_between_chinese_characters_are_dropped_and_others_kept():
    joined = join_cjk_lines(WRAPPED)
    assert "短语、含糊不清，或者停不下来。\nEnglish words\nstay apart." in joined
    assert "\n\n第二段\n\n" in joined            # paragraphs stay paragraphs
    assert "x = 1  # 中\n# 文" in joined         # code blocks are untouched


def test_site_and_search_index_have_no_space_inside_chinese():
    html = render_markdown(WRAPPED, "test")
    assert "短语、含糊不清" in html and "短语、 含糊" not in html and "短语、\n含糊" not in html
    assert "短语、含糊不清" in plain_text(WRAPPED)


def test_terminal_has_no_space_inside_chinese():
    console = Console(width=120, record=True)
    console.print(markdown(WRAPPED))
    assert "短语、含糊不清，或者停不下来。" in console.export_text()
