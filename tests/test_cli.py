"""The command line: help, listing, showing, starting, exit codes and JSON output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, **kw):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, **kw)


@pytest.mark.parametrize("command", [[], ["list"], ["show"], ["start"], ["grade"], ["check"], ["schema"]])
def test_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


def test_list_json_counts_per_topic_and_kind() -> None:
    data = json.loads(run("list", "--json").output)
    assert {"sdpa", "causal-attention", "multi-head-attention"} <= {q["id"] for q in data["questions"]}
    assert data["counts"]["attention-basics"]["coding"] >= 1
    masking = json.loads(run("list", "--json", "--topic", "masking", "--kind", "coding").output)
    assert {q["topic"] for q in masking["questions"]} == {"masking"}
    assert {q["kind"] for q in masking["questions"]} == {"coding"}


def test_unknown_ids_and_topics_are_usage_errors() -> None:
    result = CliRunner().invoke(cli, ["show", "sdpaa"])
    assert result.exit_code == 2 and "unknown question id 'sdpaa'" in result.output and "sdpa" in result.output
    assert CliRunner().invoke(cli, ["list", "--topic", "nope"]).exit_code == 2


def test_show_in_both_languages() -> None:
    en = run("show", "sdpa", "--answer").output
    zh = run("show", "sdpa", "--answer", "--lang", "zh").output
    assert "Implement scaled dot-product attention" in en and "Model answer" in en
    assert "手写缩放点积注意力" in zh and "参考答案" in zh
    quiz = run("show", "spot-the-causal-mask-bug", "--answer").output
    assert "✔" in quiz and "✘" in quiz


def test_show_keeps_tex_and_brackets_verbatim() -> None:
    """Markdown escapes would eat TeX's `\\,` and rich markup would eat `[lowercase, brackets]`."""
    answer = run("show", "attention-backward", "--answer", "--lang", "zh", env={"COLUMNS": "200"}).output
    assert r"dP = dO\,V^\top" in answer and r"\partial P_j/\partial S_k" in answer
    display = [line for line in answer.splitlines() if r"dK = \text{scale}" in line]
    assert len(display) == 1 and "dV" not in display[0]  # two display formulas stay on lines of their own
    hints = run("show", "feature-map-self-attention", "--answer", env={"COLUMNS": "200"}).output
    assert "Hint 2: x.flatten(2) is [B, C, HW]" in hints
    assert "Hint 1" not in run("show", "feature-map-self-attention").output  # hints are spoilers


def test_terminal_markdown_leaves_code_and_prices_alone() -> None:
    from rich.console import Console

    from grader.render_terminal import markdown

    console = Console(width=200, record=True)
    console.print(markdown("`x = $a$` costs $5 and $10; $\\alpha\\,\\beta$"))
    text = console.export_text()
    assert "x = $a$" in text and "$5 and $10" in text and r"\alpha\,\beta" in text


def test_start_writes_starter_and_never_overwrites(tmp_path: Path) -> None:
    first = run("start", "sdpa", "--dir", str(tmp_path))
    path = tmp_path / "sdpa.py"
    assert first.exit_code == 0 and path.is_file() and "raise NotImplementedError" in path.read_text()
    path.write_text("my work")
    again = CliRunner().invoke(cli, ["start", "sdpa", "--dir", str(tmp_path)])
    assert again.exit_code == 0 and "already exists" in again.output and path.read_text() == "my work"
    assert run("start", "sdpa", "--dir", str(tmp_path), "--force").exit_code == 0
    assert "raise NotImplementedError" in path.read_text()
    assert CliRunner().invoke(cli, ["start", "why-scale-by-sqrt-dk"]).exit_code == 2


def attnbank(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, cwd=ROOT,
                          stdin=subprocess.DEVNULL, timeout=300)


def test_grade_exit_codes_and_json(tmp_path: Path) -> None:
    ok = attnbank("grade", "sdpa", "solutions/sdpa/reference.py", "--json")
    assert ok.returncode == 0, ok.stderr
    verdict = json.loads(ok.stdout)
    assert set(verdict) >= {"question", "passed", "status", "checks", "diagnosis"}
    assert verdict["passed"] is True and verdict["status"] == "passed" and verdict["diagnosis"] is None
    assert all({"name", "passed", "message"} <= set(c) for c in verdict["checks"])
    assert verdict["dtypes"] == ["float32", "float64", "bfloat16", "float16"]  # a plain grade runs the contract passes
    explicit = json.loads(attnbank("grade", "sdpa", "solutions/sdpa/reference.py", "--json", "--dtype", "float64",
                                   "--no-record").stdout)
    assert explicit["dtypes"] == ["float64"] and not any(c["name"] == "dtype_bfloat16" for c in explicit["checks"])

    starter = tmp_path / "s.py"
    starter.write_text("def scaled_dot_product_attention(q, k, v, mask=None, scale=None):\n    return q\n")
    bad = attnbank("grade", "sdpa", str(starter))
    assert bad.returncode == 1 and "FAILED" in bad.stdout

    assert attnbank("grade", "sdpa", str(tmp_path / "missing.py")).returncode == 2
    assert attnbank("grade", "no-such-question", str(starter)).returncode == 2
    assert attnbank("grade", "why-scale-by-sqrt-dk", str(starter)).returncode == 2


def test_list_and_show_do_not_import_torch() -> None:
    code = ("import sys; from grader.cli import cli\n"
            "try:\n    cli(['list', '--json'])\nexcept SystemExit:\n    pass\n"
            "try:\n    cli(['show', 'sdpa'])\nexcept SystemExit:\n    pass\n"
            "assert 'torch' not in sys.modules, 'torch was imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
