"""The loader validates every file, reports every problem at once, and the bank itself is complete."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader.bank import BankError, load_bank
from grader.schema import CJK, Text, json_schema

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A copy of the bank with only the sdpa coding question and one concept question."""
    (tmp_path / "questions/attention-basics").mkdir(parents=True)
    shutil.copy(ROOT / "questions/topics.yaml", tmp_path / "questions/topics.yaml")
    for name in ("sdpa.yaml", "why-scale-by-sqrt-dk.yaml"):
        shutil.copy(ROOT / "questions/attention-basics" / name, tmp_path / "questions/attention-basics" / name)
    shutil.copytree(ROOT / "solutions/sdpa", tmp_path / "solutions/sdpa")
    return tmp_path


def edit(path: Path, fn) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def problems(root: Path) -> list[str]:
    with pytest.raises(BankError) as err:
        load_bank(root)
    return err.value.problems


def test_mini_bank_loads(mini: Path) -> None:
    assert [q.id for q in load_bank(mini).questions] == ["sdpa", "why-scale-by-sqrt-dk"]


def test_every_problem_reported_at_once_with_file_and_field(mini: Path) -> None:
    concept = mini / "questions/attention-basics/why-scale-by-sqrt-dk.yaml"
    edit(concept, lambda d: (d.update(colour="blue"), d["title"].pop("zh"), d.update(difficulty="extreme")))
    coding = mini / "questions/attention-basics/sdpa.yaml"
    edit(coding, lambda d: d["coding"]["checks"].append("vibes"))
    (mini / "questions/attention-basics/broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    found = problems(mini)
    rel = "questions/attention-basics/why-scale-by-sqrt-dk.yaml"
    assert f"{rel}: colour: Extra inputs are not permitted" in found
    assert f"{rel}: title.zh: Field required" in found
    assert any(p.startswith(f"{rel}: difficulty:") for p in found)
    assert any(p.startswith("questions/attention-basics/sdpa.yaml: coding.checks: unknown check 'vibes'")
               for p in found)
    assert any(p.startswith("questions/attention-basics/broken.yaml: line") and "invalid YAML" in p for p in found)


def test_duplicate_ids_unknown_topics_and_missing_files(mini: Path) -> None:
    src = mini / "questions/attention-basics/why-scale-by-sqrt-dk.yaml"
    (mini / "questions/masking").mkdir()
    dup = mini / "questions/masking/why-scale-by-sqrt-dk.yaml"
    shutil.copy(src, dup)
    edit(dup, lambda d: d.update(topic="masking"))
    edit(src, lambda d: d.update(topic="no-such-topic"))
    (mini / "solutions/sdpa/alt_loops.py").unlink()
    found = problems(mini)
    assert any("duplicate id 'why-scale-by-sqrt-dk'" in p for p in found)
    assert any("unknown topic 'no-such-topic'" in p for p in found)
    assert any("missing file solutions/sdpa/alt_loops.py" in p for p in found)


def test_zh_must_be_chinese() -> None:
    with pytest.raises(ValueError, match="no Chinese"):
        Text(en="Attention", zh="Attention")


def test_published_schema_is_in_sync() -> None:
    published = json.loads((ROOT / "questions/schema.json").read_text(encoding="utf-8"))
    assert published == json.loads(json.dumps(json_schema())), "run: python -m grader schema > questions/schema.json"


def _texts(node, path=""):
    if isinstance(node, dict):
        if set(node) == {"en", "zh"}:
            yield path, node
        for k, v in node.items():
            yield from _texts(v, f"{path}.{k}" if path else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _texts(v, f"{path}.{i}")


def test_every_text_of_the_bank_is_bilingual() -> None:
    bank = load_bank(ROOT)
    for q in bank.questions:
        for path, text in _texts(q.model_dump()):
            assert text["en"].strip() and text["zh"].strip(), f"{q.id}: {path} is empty"
            assert CJK.search(text["zh"]), f"{q.id}: {path}.zh is not Chinese"
            assert not CJK.search(text["en"]), f"{q.id}: {path}.en contains Chinese"


def test_every_topic_has_a_concept_question_and_every_coding_question_a_full_kit() -> None:
    bank = load_bank(ROOT)
    used = {q.topic for q in bank.questions}
    for q in bank.questions:
        if q.kind == "coding":
            assert len(q.coding.alternatives) >= 2, q.id
            assert len(q.coding.mistakes) >= 5, q.id
            assert len(q.coding.hints) >= 3, q.id
    assert used <= {t.id for t in bank.topics}


def test_every_file_parses_the_same_with_the_pure_python_yaml_loader() -> None:
    """Editors and other tools use PyYAML's pure-Python loader; it must agree with the C loader we use."""
    from grader.bank import Loader

    for path in sorted((ROOT / "questions").glob("**/*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=yaml.SafeLoader) == yaml.load(text, Loader=Loader), path


def test_no_markdown_emphasis_is_left_unrendered() -> None:
    """CommonMark will not close `**` between CJK punctuation and a letter: `**重点。**然后` shows the stars."""
    import re

    from grader.markup import render_markdown

    code = re.compile(r"<(pre|code|math)\b.*?</\1>", re.S)
    bank = load_bank(ROOT)
    for q in bank.questions:
        for path, text in _texts(q.model_dump()):
            for lang in ("en", "zh"):
                html = code.sub("", render_markdown(text[lang], f"{q.id}: {path}.{lang}"))
                assert "**" not in html, f"{q.id}: {path}.{lang} leaves '**' unrendered"


def test_problems_the_schema_cannot_see_are_load_errors(mini: Path) -> None:
    coding = mini / "questions/attention-basics/sdpa.yaml"

    def break_it(d: dict) -> None:
        d["coding"]["mistakes"][0]["patch"] = [{"find": "does-not-exist", "replace": "x"}]
        d["coding"]["mistakes"][1]["patch"] = [{"find": "torch", "replace": "x"}]  # occurs many times
        d["coding"]["entry_point"] = "sdpa_fn"
        d["coding"]["alternatives"].append("alt_missing.py")
        d["coding"]["hints"][0]["checks"] = ["vibes"]

    edit(coding, break_it)
    found = problems(mini)
    rel = "questions/attention-basics/sdpa.yaml"
    assert f"{rel}: coding.entry_point: 'sdpa_fn' is not defined in solutions/sdpa/reference.py" in found
    assert (f"{rel}: coding.mistakes.0.patch.0.find: 'does-not-exist' occurs 0 times in solutions/sdpa/reference.py "
            "(must be exactly once)") in found
    assert any(p.startswith(f"{rel}: coding.mistakes.1.patch.0.find: 'torch' occurs") for p in found)
    assert f"{rel}: coding.alternatives: missing file solutions/sdpa/alt_missing.py" in found
    assert f"{rel}: coding.hints.0.checks: vibes not among this question's checks" in found
    for command in (["list"], ["check", "sdpa"], ["grade", "sdpa", str(mini / "solutions/sdpa/reference.py")]):
        result = subprocess.run([sys.executable, "-m", "grader", *command], capture_output=True, text=True,
                                cwd=ROOT, stdin=subprocess.DEVNULL, env={**os.environ, "ATTNBANK_ROOT": str(mini)})
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert f"error: {len(found)} problem(s) in the bank:" in result.stderr
        assert all(p in result.stderr for p in found)
