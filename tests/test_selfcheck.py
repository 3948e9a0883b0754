"""`attnbank check`: the whole bank grades itself (references pass, mistakes fail as themselves, starters fail)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_attnbank_check_passes_for_the_whole_bank() -> None:
    result = subprocess.run([sys.executable, "-m", "grader", "check", "-j", "2"], capture_output=True, text=True,
                            cwd=ROOT, stdin=subprocess.DEVNULL, timeout=1500)
    last = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0, result.stderr[-5000:]
    passed, failed = (int(part.split()[0]) for part in last.split(", "))
    assert failed == 0 and passed > 0


def test_check_catches_a_harmless_mistake_and_a_passing_starter(tmp_path: Path) -> None:
    import shutil

    import yaml

    (tmp_path / "questions/attention-basics").mkdir(parents=True)
    shutil.copy(ROOT / "questions/topics.yaml", tmp_path / "questions/topics.yaml")
    shutil.copytree(ROOT / "solutions/sdpa", tmp_path / "solutions/sdpa")
    data = yaml.safe_load((ROOT / "questions/attention-basics/sdpa.yaml").read_text(encoding="utf-8"))
    data["coding"]["mistakes"].append({**data["coding"]["mistakes"][0], "id": "harmless",
                                       "patch": [{"find": "# [..., Lq, Dv]", "replace": "# output"}]})
    data["coding"]["starter"] = (ROOT / "solutions/sdpa/reference.py").read_text(encoding="utf-8")
    (tmp_path / "questions/attention-basics/sdpa.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    result = subprocess.run([sys.executable, "-m", "grader", "check", "--dtype", "float32"], capture_output=True,
                            text=True, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=600,
                            env={**__import__("os").environ, "ATTNBANK_ROOT": str(tmp_path)})
    assert result.returncode == 1
    assert "mistake harmless: passes every check" in result.stderr
    assert "starter: the starter passes" in result.stderr
    assert result.stdout.strip() == "12 passed, 2 failed"  # 14 files, 2 of them wrong
