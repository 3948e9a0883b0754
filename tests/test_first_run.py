"""What a new user hits on a first run (issue 11): the bank is found or the error says where it looked, the
commands `show` and `start` suggest work every time, options are checked, output is never cut off, and the
tests themselves stay out of the user's folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def invoke(*args: str, **kw):
    return CliRunner().invoke(cli, list(args), **kw)


def attnbank(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, cwd=cwd,
                          stdin=subprocess.DEVNULL, timeout=300, env={**os.environ, **env})


def test_tests_use_temporary_user_folders(tmp_path_factory: pytest.TempPathFactory, artifacts: Path) -> None:
    from platformdirs import user_cache_path, user_data_path

    from grader.index import _cache_file
    from grader.practice.store import default_path

    base = tmp_path_factory.getbasetemp()
    for where in (user_cache_path("attnbank"), user_data_path("attnbank"), _cache_file(ROOT), default_path(),
                  Path(sys.pycache_prefix or ROOT), artifacts):
        assert base in where.parents, f"{where} is outside the test's temp dir {base}"
    assert os.environ["PYTHONPYCACHEPREFIX"] == sys.pycache_prefix  # subprocesses too


def test_a_missing_bank_names_the_root_and_the_variable(tmp_path: Path) -> None:
    nowhere = tmp_path / "nowhere"
    for command in (["list"], ["show", "sdpa"]):
        result = invoke(*command, env={"ATTNBANK_ROOT": str(nowhere)})
        assert result.exit_code == 2
        assert f"no question bank at {nowhere} (from ATTNBANK_ROOT): it does not exist" in result.output
        assert "set ATTNBANK_ROOT" in result.output
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert "it is not a folder" in invoke("list", env={"ATTNBANK_ROOT": str(a_file)}).output
    assert "it has no questions/topics.yaml" in invoke("list", env={"ATTNBANK_ROOT": str(tmp_path)}).output


def test_the_command_show_suggests_works_twice(tmp_path: Path) -> None:
    shown = invoke("show", "sdpa", env={"COLUMNS": "200"}).output
    command = next(line for line in shown.splitlines() if "attnbank start" in line).split(": ", 1)[1]
    assert command == "attnbank start sdpa && attnbank grade sdpa sdpa.py"
    python = f"{sys.executable} -m grader"
    for _ in range(2):  # the second time sdpa.py exists: start keeps it, and grade still runs
        run = subprocess.run(command.replace("attnbank", python), shell=True, cwd=tmp_path, capture_output=True,
                             text=True, stdin=subprocess.DEVNULL, timeout=300)
        assert run.returncode == 1 and "sdpa: ERROR" in run.stdout, run.stdout + run.stderr  # the starter raises
    (tmp_path / "sdpa.py").write_text("my work")
    kept = invoke("start", "sdpa", "--dir", str(tmp_path))
    assert kept.exit_code == 0 and "kept" in kept.output and (tmp_path / "sdpa.py").read_text() == "my work"


def test_list_never_cuts_titles_when_piped() -> None:
    titles = [q["title"]["en"] for q in json.loads(invoke("list", "--json").output)["questions"]]
    for columns in ("80", "300"):
        listing = attnbank("list", COLUMNS=columns).stdout
        assert "…" not in listing
        assert all(any(line.endswith(title) for line in listing.splitlines()) for title in titles)


def test_list_wraps_titles_on_a_terminal() -> None:
    from grader.cli import _width, column_lines

    title = "Implement rotary position embedding (RoPE) for queries and keys in a decoder"
    zh = "手写旋转位置编码（RoPE），并用在解码器的 query 和 key 上"
    rows = [["rope", "coding", "medium", "positional-encoding", title], ["rope-zh", "coding", "hard", "x", zh]]
    lines = column_lines(rows, ["id", "kind", "difficulty", "topic", "title"], 80)
    assert all(_width(line) <= 80 for line in lines) and len(lines) > 3
    indent = lines[0].index("title")
    rows_seen: list[list[str]] = []
    for line in lines[1:]:
        if not line.startswith(" "):
            rows_seen.append([])
        rows_seen[-1].append(line[indent:])
    assert " ".join(rows_seen[0]) == title and len(rows_seen[0]) > 1
    assert "".join(rows_seen[1]).replace(" ", "") == zh.replace(" ", "") and len(rows_seen[1]) > 1


def test_show_wraps_starter_lines() -> None:
    shown = invoke("show", "sdpa", env={"COLUMNS": "80"}).output
    assert "weighted sum of v" in shown  # the end of the starter's longest comment, not cropped


@pytest.mark.parametrize("timeout", ["-5", "0"])
def test_timeout_must_be_positive(timeout: str) -> None:
    for command in (["grade", "sdpa", "solutions/sdpa/reference.py"], ["watch", "sdpa", "solutions/sdpa/reference.py"]):
        result = invoke(*command, "--timeout", timeout)
        assert result.exit_code == 2 and "--timeout" in result.output


def test_a_folder_as_file_says_so(tmp_path: Path) -> None:
    for command in ("grade", "watch"):
        result = invoke(command, "sdpa", str(tmp_path))
        assert result.exit_code == 2 and f"{tmp_path} is a folder" in result.output


def test_check_on_a_concept_question_has_nothing_to_check() -> None:
    result = attnbank("check", "why-scale-by-sqrt-dk")
    assert result.returncode == 2 and "concept question: `check` has nothing to check" in result.stderr
    assert result.stdout == ""
