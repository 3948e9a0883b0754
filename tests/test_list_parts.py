"""`attnbank list` shows the mechanism topics first and the application topics as a second part."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from grader.cli import cli

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "site_bank"


def test_list_shows_application_topics_as_a_second_part(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    shutil.copytree(FIXTURE, bank)
    topics = bank / "questions" / "topics.yaml"
    text = topics.read_text(encoding="utf-8")
    topics.write_text(text.replace("  - id: heads\n", "  - id: heads\n    part: applications\n"), encoding="utf-8")
    env = {"ATTNBANK_ROOT": str(bank), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    out = CliRunner().invoke(cli, ["list"], env=env, catch_exceptions=False).output
    lines = out.splitlines()
    first = lines.index("— Part 1 · The mechanism")
    second = lines.index("— Part 2 · Attention in applications")
    topic_of = {line.split()[0]: line.split()[3] for line in lines[1:-1] if not line.startswith("—")}
    assert {topic_of[line.split()[0]] for line in lines[first + 1:second]} == {"masks"}
    assert {topic_of[line.split()[0]] for line in lines[second + 1:-1]} == {"heads"}
    zh = CliRunner().invoke(cli, ["list", "--lang", "zh"], env=env, catch_exceptions=False).output
    assert "— 第二部分 · 注意力在各领域的应用" in zh.splitlines()
    only_masks = CliRunner().invoke(cli, ["list", "--topic", "masks"], env=env, catch_exceptions=False).output
    assert "Part 2" not in only_masks  # a part with no listed question gets no title
    data = json.loads(CliRunner().invoke(cli, ["list", "--json"], env=env, catch_exceptions=False).output)
    assert {q["topic"]: q["part"] for q in data["questions"]} == {"masks": "mechanism", "heads": "applications"}
